package main

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/krls-dev/krls/diagnostics"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the part
// GitHub code scanning and other viewers read.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	krlsURI      = "https://github.com/krls-dev/krls"
	clippyLints  = "https://rust-lang.github.io/rust-clippy/master/index.html#"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string            `json:"name"`
	Version        string            `json:"version"`
	InformationURI string            `json:"informationUri"`
	Rules          []sarifDescriptor `json:"rules"`
}

type sarifDescriptor struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	FullDescription      sarifMessage `json:"fullDescription"`
	Help                 sarifMessage `json:"help"`
	HelpURI              string       `json:"helpUri,omitempty"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          sarifMessage    `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifMessage         `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"` // exclusive, as SARIF defines it
}

// sarifLevel maps a severity onto SARIF's levels.
func sarifLevel(s diagnostics.Severity) string {
	switch s {
	case diagnostics.Error:
		return "error"
	case diagnostics.Warning:
		return "warning"
	}
	return "note"
}

// firstSentence is s up to its first period that ends a sentence.
func firstSentence(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n') {
			return s[:i+1]
		}
	}
	return s
}

// sarifArtifact is the artifact location of a path: relative paths are
// relative to %SRCROOT% (the checkout, for GitHub), absolute ones are
// file URIs.
func sarifArtifact(path string) sarifArtifactLocation {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x on Windows
		}
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	p = strings.TrimPrefix(p, "./")
	return sarifArtifactLocation{URI: (&url.URL{Path: p}).String(), URIBaseID: "%SRCROOT%"}
}

func sarifRules() []sarifDescriptor {
	rules := make([]sarifDescriptor, 0, len(diagnostics.CheckRules()))
	for _, r := range diagnostics.CheckRules() {
		d := sarifDescriptor{
			ID:               r.Name,
			ShortDescription: sarifMessage{Text: firstSentence(r.Doc)},
			FullDescription:  sarifMessage{Text: r.Doc},
			Help:             sarifMessage{Text: r.Doc, Markdown: r.Doc},
		}
		if r.Clippy != "" {
			d.HelpURI = clippyLints + strings.TrimPrefix(r.Clippy, "clippy::")
		}
		d.DefaultConfiguration.Level = sarifLevel(r.Severity)
		rules = append(rules, d)
	}
	return rules
}

// writeSARIF prints one SARIF log with one run.
func writeSARIF(w io.Writer, reports []report) error {
	ruleIndex := map[string]int{}
	for i, r := range diagnostics.CheckRules() {
		ruleIndex[r.Name] = i
	}
	results := make([]sarifResult, 0, len(reports))
	for _, r := range reports {
		art := sarifArtifact(r.Path)
		res := sarifResult{
			RuleID:    r.Finding.Rule,
			RuleIndex: ruleIndex[r.Finding.Rule],
			Level:     sarifLevel(r.Finding.Severity),
			Message:   sarifMessage{Text: r.Finding.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: art,
				Region:           sarifRegion{r.Line, r.Col, r.EndLine, r.EndCol},
			}}},
		}
		for i, rel := range r.Related {
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID: &i,
				PhysicalLocation: sarifPhysicalLocation{
					ArtifactLocation: art,
					Region:           sarifRegion{rel.Line, rel.Col, rel.EndLine, rel.EndCol},
				},
				Message: &sarifMessage{Text: rel.Message},
			})
		}
		results = append(results, res)
	}
	return encodeJSON(w, sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           "krls",
				Version:        krlsVersion(),
				InformationURI: krlsURI,
				Rules:          sarifRules(),
			}},
			ColumnKind: "unicodeCodePoints",
			Results:    results,
		}},
	})
}
