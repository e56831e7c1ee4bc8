#include "runner/cli/app.hpp"

int main(int argc, char** argv) {
    return conform::cli::main(argc, argv);
}
