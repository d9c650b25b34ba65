//go:build !unix

package index

import (
	"os"
	"time"
)

// lockFile leaves the lock to bbolt where flock does not exist: the
// file is then checked before it is locked.
func lockFile(*os.File, bool, time.Duration) error { return nil }
