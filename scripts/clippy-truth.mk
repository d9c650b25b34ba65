# `make clippy-truth`: regenerate diagnostics/testdata/clippy-truth/ from
# real clippy on mutants of the Linux 7.2 fixture (scripts/clippy-truth.sh;
# root, a toolchain chroot, ~30 minutes). Not part of `make test`, which
# replays the recorded truth (workspace/clippy_truth_test.go).
#   make clippy-truth SEED=2 MINUTES=10
.PHONY: clippy-truth
clippy-truth:
	SEED=$(or $(SEED),1) MINUTES=$(or $(MINUTES),30) scripts/clippy-truth.sh
