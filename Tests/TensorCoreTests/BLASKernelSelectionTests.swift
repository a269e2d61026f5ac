import XCTest
import TensorCore

/// The launch-time kernel decision: a pure function of CPU flags, loaded kernel and environment.
final class BLASKernelSelectionTests: XCTestCase {
    typealias Selection = BLASKernelSelection
    let avx2CPU = Selection.CPUFeatures(vendor: "AuthenticAMD", flags: ["sse2", "pni", "avx", "avx2", "fma"])
    let avx512CPU = Selection.CPUFeatures(vendor: "GenuineIntel",
                                          flags: ["pni", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"])

    private func selected(_ d: Selection.Decision) -> String? {
        if case .select(let kernel, _) = d { return kernel }
        return nil
    }

    func testGenericFallbackOnAVX2CPUSelectsHaswell() {
        XCTAssertEqual(selected(Selection.decide(cpu: avx2CPU, loadedKernel: "Prescott", environment: [:])), "Haswell")
        XCTAssertEqual(selected(Selection.decide(cpu: avx2CPU, loadedKernel: "Nehalem", environment: [:])), "Haswell")
        XCTAssertEqual(selected(Selection.decide(cpu: avx2CPU, loadedKernel: "Sandybridge", environment: [:])), "Haswell")
    }

    func testGenericFallbackOnAVX512CPUSelectsSkylakeX() {
        XCTAssertEqual(selected(Selection.decide(cpu: avx512CPU, loadedKernel: "Prescott", environment: [:])), "SkylakeX")
        XCTAssertEqual(selected(Selection.decide(cpu: avx512CPU, loadedKernel: "PRESCOTT", environment: [:])), "SkylakeX",
                       "kernel names compare case-insensitively")
    }

    func testIncompleteAVX512FlagsAreNotEnoughForSkylakeX() {
        // The SkylakeX kernel needs all four subsets; without them it would die of SIGILL.
        let partial = Selection.CPUFeatures(vendor: "GenuineIntel", flags: ["pni", "avx", "avx2", "fma", "avx512f"])
        XCTAssertEqual(selected(Selection.decide(cpu: partial, loadedKernel: "Prescott", environment: [:])), "Haswell")
        let noFMA = Selection.CPUFeatures(vendor: "GenuineIntel", flags: ["pni", "avx", "avx2"])
        XCTAssertNil(selected(Selection.decide(cpu: noFMA, loadedKernel: "Prescott", environment: [:])),
                     "AVX without AVX2+FMA: no kernel we would name beats OpenBLAS's pick")
    }

    func testOpenBLASsOwnGoodChoiceIsKept() {
        for kernel in ["Haswell", "Zen", "SkylakeX", "CooperLake"] {
            XCTAssertNil(selected(Selection.decide(cpu: avx512CPU, loadedKernel: kernel, environment: [:])), kernel)
            XCTAssertNil(selected(Selection.decide(cpu: avx2CPU, loadedKernel: kernel, environment: [:])), kernel)
        }
    }

    func testUnknownKernelNamesAreNeverOverridden() {
        for kernel in ["ARMV8", "NEOVERSEN1", "POWER9", "unknown", ""] {
            XCTAssertNil(selected(Selection.decide(cpu: avx2CPU, loadedKernel: kernel, environment: [:])), kernel)
        }
    }

    func testAValueSetInTheEnvironmentIsNeverOverridden() {
        let d = Selection.decide(cpu: avx512CPU, loadedKernel: "Prescott", environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertNil(selected(d))
        guard case .keep(let reason) = d else { return XCTFail("expected keep") }
        XCTAssertTrue(reason.contains("OPENBLAS_CORETYPE=Prescott"), reason)
    }

    func testGuardVariablePreventsASecondReexecution() {
        let env = [Selection.reexecGuardVariable: "Prescott"]
        XCTAssertNil(selected(Selection.decide(cpu: avx2CPU, loadedKernel: "Prescott", environment: env)))
    }

    func testCPUWithoutBetterLevelKeepsFallback() {
        let old = Selection.CPUFeatures(vendor: "GenuineIntel", flags: ["sse2", "pni"])
        XCTAssertNil(selected(Selection.decide(cpu: old, loadedKernel: "Prescott", environment: [:])))
        XCTAssertNil(selected(Selection.decide(cpu: .init(vendor: "", flags: []), loadedKernel: "Prescott", environment: [:])),
                     "unreadable /proc/cpuinfo: no override")
    }

    func testParsesFirstProcessorOfProcCpuinfo() {
        let text = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        flags\t\t: fpu sse2 pni fma avx avx2 bmi2

        processor\t: 1
        vendor_id\t: Other
        flags\t\t: fpu avx512f

        """
        let cpu = Selection.CPUFeatures(cpuinfo: text)
        XCTAssertEqual(cpu.vendor, "AuthenticAMD")
        XCTAssertEqual(cpu.flags, ["fpu", "sse2", "pni", "fma", "avx", "avx2", "bmi2"])
        XCTAssertEqual(cpu.supportedLevel, .avx2)
    }

    func testKernelLevels() {
        XCTAssertEqual(Selection.level(ofKernel: "Prescott"), .sse)
        XCTAssertEqual(Selection.level(ofKernel: "Sandybridge"), .avx)
        XCTAssertEqual(Selection.level(ofKernel: "Zen"), .avx2)
        XCTAssertEqual(Selection.level(ofKernel: "SkylakeX"), .avx512)
        XCTAssertNil(Selection.level(ofKernel: "ARMV8"))
    }

    func testLoadedKernelIsReportedAndSummaryNamesIt() {
        let name = BLASRuntime.kernelName
        XCTAssertFalse(name.isEmpty)
        XCTAssertTrue(BLASRuntime.summary.contains("kernel \(name)"), BLASRuntime.summary)
        XCTAssertTrue(BLASRuntime.summary.contains("\(Parallel.threads) worker threads"), BLASRuntime.summary)
    }
}
