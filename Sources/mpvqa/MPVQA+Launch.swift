import ArgumentParser
import Foundation
import RunSupport
import TensorCore

extension MPVQA {
    /// Process entry point (`@main` calls this instead of `ParsableCommand.main()`): first
    /// selects the OpenBLAS kernel, which may re-execute the process once with
    /// OPENBLAS_CORETYPE set (see `BLASKernelSelection`), then parses and runs the command.
    /// A Foundation file error that reached this far is printed in plain words, never as a
    /// raw `NSCocoaErrorDomain` code.
    static func main() {
        BLASKernelSelection.applyAtLaunch()
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch let error as FileSystemError {
            exit(withError: error)
        } catch {
            if let reason = FileSystemError.reason(of: error) {
                let ns = error as NSError
                let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
                exit(withError: FileSystemError(operation: "access", path: path, reason: reason))
            }
            exit(withError: error)
        }
    }
}
