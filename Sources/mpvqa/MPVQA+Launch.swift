import ArgumentParser
import TensorCore

extension MPVQA {
    /// Process entry point (`@main` calls this instead of `ParsableCommand.main()`): first
    /// selects the OpenBLAS kernel, which may re-execute the process once with
    /// OPENBLAS_CORETYPE set (see `BLASKernelSelection`), then parses and runs the command.
    static func main() {
        BLASKernelSelection.applyAtLaunch()
        main(nil)
    }
}
