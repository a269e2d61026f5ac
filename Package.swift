// swift-tools-version:6.0
import PackageDescription

// The numeric modules are compiled for Haswell-level x86-64 (AVX2, FMA, F16C, BMI2), which
// every x86-64 server CPU since 2013 has: their element loops (GELU, softmax, norms, the
// optimizer update) then run eight Float lanes wide instead of SSE's four, with the same
// results (Swift does not contract a·b + c into FMA). `mpvqa` checks these features at
// launch and refuses, with a message, a CPU that lacks them (README "Performance"); set
// `numericTargetCPU` to nil to build for any x86-64.
#if arch(x86_64)
let numericTargetCPU: String? = "haswell"
#else
let numericTargetCPU: String? = nil
#endif
/// Settings of the modules whose loops carry the arithmetic.
let numericSettings: [SwiftSetting] = numericTargetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []
/// The executable learns which features the numeric modules need, to check them at launch.
let launchSettings: [SwiftSetting] = numericTargetCPU == nil ? [] : [.define("MPVQA_NEEDS_AVX2")]

// Module graph (README "Layout"): dependencies point one way, downward.
//   mpvqa → Experiments → Training → Models → NeuralNet → TensorCore → CBLAS
//              │             ├→ DocData ──→ TensorCore, CPNG, CJPEG
//              └→ Charts ──→ DocData (PNG encoding, bitmap font)
//                            └→ FeatureStore ──→ TensorCore, CHDF5
let package = Package(
    name: "MPVQA",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mpvqa", targets: ["mpvqa"]),
        .library(name: "MPVQA", targets: ["TensorCore", "NeuralNet", "DocData", "FeatureStore", "Models", "Training", "Experiments", "Charts", "RunSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries, one module each; never visible in public signatures.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg-dev"])]),

        // Run infrastructure shared by every stage: atomic file writes, progress reporting.
        .target(name: "RunSupport"),
        .target(name: "TensorCore", dependencies: ["CBLAS"], swiftSettings: numericSettings),
        .target(name: "NeuralNet", dependencies: ["TensorCore", "RunSupport"], swiftSettings: numericSettings),
        .target(name: "DocData", dependencies: ["TensorCore", "RunSupport", "CPNG", "CJPEG"]),
        .target(name: "FeatureStore", dependencies: ["TensorCore", "RunSupport", "CHDF5",
                                                      .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Models", dependencies: ["NeuralNet", "TensorCore"], swiftSettings: numericSettings),
        .target(name: "Training", dependencies: ["Models", "DocData", "FeatureStore", "NeuralNet", "TensorCore", "RunSupport",
                                                  .product(name: "Yams", package: "Yams")]),
        // The project's own raster plotter (bars, curves, count matrices) for reports.
        .target(name: "Charts", dependencies: ["DocData", "RunSupport"]),
        .target(name: "Experiments", dependencies: ["Charts", "Training", "Models", "DocData", "FeatureStore", "NeuralNet", "TensorCore", "RunSupport"]),
        .executableTarget(name: "mpvqa", dependencies: [
            "Experiments", "Training", "Models", "DocData", "FeatureStore", "NeuralNet", "TensorCore", "RunSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: launchSettings),

        // Shared test helpers: tensor comparison with max-difference reports, finite differences, fixtures,
        // damaging one stored byte of an HDF5 dataset.
        .target(name: "TestSupport", dependencies: ["TensorCore", "CHDF5"], path: "Sources/TestSupport"),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TensorCore", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DocDataTests", dependencies: ["DocData", "TensorCore", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "NeuralNet", "TensorCore", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "DocData", "FeatureStore", "TensorCore", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "FeatureStoreTests", dependencies: ["FeatureStore", "TensorCore", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "DocData"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Training", "TensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "NeuralNet", "FeatureStore"], resources: [.copy("Fixtures")]),
    ]
)
