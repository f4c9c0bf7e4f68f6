// `--nproc N` of `train` and `bench train`: the local launcher. It runs this same command line
// (without --nproc) N times as ranks 0..N-1 of one group on 127.0.0.1, with RANK, WORLD_SIZE,
// LOCAL_RANK, MASTER_ADDR and MASTER_PORT set as torchrun sets them, forwards Ctrl-C to them,
// and waits. A rank that exits with bad input (2) stops the others at once; after any other
// failure the others get --dist-timeout to notice, report and exit on their own.
#pragma once

namespace dw::tools {

// main() keeps the command line so a launcher can run it again.
void remember_command_line(int argc, char** argv);

// Whether this process should launch: nproc > 1 and no launcher has made it a rank already
// (UserError when both, or for nproc < 1). Warns when nproc x threads exceeds the cores.
bool should_launch(int nproc, int threads_per_rank);

// Runs the ranks and returns the exit code for the whole group: 0 when every rank succeeded, 2
// when one reported bad input, else 1.
int launch_local_ranks(int nproc, double timeout_s);

}  // namespace dw::tools
