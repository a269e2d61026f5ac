import Foundation
import TensorCore

/// Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`.
///
/// For each parameter `p` with gradient `g`, at step `t` (1-based) and learning rate `lr`:
/// ```
/// p ← p · (1 − lr·λ)                       (only where weight decay applies)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// One fused pass over each parameter's buffer does all four lines. Parameters are
/// updated in place (their storage is shared with the layers that own them). A
/// parameter without a gradient this step is left untouched.
///
/// ```swift
/// let optimizer = AdamW(parameters: model.namedParameters, learningRate: 3e-4, weightDecay: 0.1)
/// for step in 0..<steps {
///     model.zeroGrad()
///     let loss = model.loss(batch)
///     loss.backward()
///     clipGradientNorm(model.parameters, maxNorm: 1)
///     optimizer.learningRate = schedule(step)
///     optimizer.update()
/// }
/// ```
public final class AdamW {
    /// The parameters being optimised, with their checkpoint names.
    public let parameters: [NamedParameter]
    /// Whether weight decay applies to `parameters[i]`.
    public let decays: [Bool]
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// Number of `update()` calls so far (the `t` of the bias correction).
    public private(set) var stepCount = 0
    /// First moments `m`, one per parameter, same shape and dtype.
    public let firstMoments: [Tensor]
    /// Second moments `v`, one per parameter, same shape and dtype.
    public let secondMoments: [Tensor]

    /// An optimiser over `parameters` with zero moments.
    ///
    /// `decayWhere` selects the parameters that get weight decay; the default decays
    /// matrices (rank ≥ 2: projections, embeddings) and leaves gains and biases alone.
    public init(parameters: [NamedParameter], learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0.01,
                decayWhere: (NamedParameter) -> Bool = { $0.tensor.rank >= 2 }) {
        var seen = Set<String>()
        var buffers: [UnsafeRawPointer: String] = [:]
        for p in parameters {
            precondition(seen.insert(p.name).inserted, "AdamW: parameter name '\(p.name)' appears twice")
            precondition(p.tensor.requiresGrad, "AdamW: parameter '\(p.name)' is not a trainable leaf (call requiringGrad())")
            // A tied parameter listed under two names would be updated twice per step.
            if let address = bufferAddress(p.tensor) {
                if let other = buffers[address] {
                    preconditionFailure("AdamW: parameters '\(other)' and '\(p.name)' share storage; list a tied parameter once")
                }
                buffers[address] = p.name
            }
        }
        self.parameters = parameters
        self.decays = parameters.map(decayWhere)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.firstMoments = parameters.map { Tensor.zeros($0.tensor.shape, dtype: $0.tensor.dtype) }
        self.secondMoments = parameters.map { Tensor.zeros($0.tensor.shape, dtype: $0.tensor.dtype) }
    }

    /// Applies one step to every parameter that has a gradient, at `learningRate`.
    public func update() {
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = 1 - Foundation.pow(beta1, t)
        let correction2 = 1 - Foundation.pow(beta2, t)
        let constants = AdamWStepConstants(
            stepSize: learningRate / correction1,
            inverseSqrtCorrection2: 1 / correction2.squareRoot(),
            beta1: beta1, beta2: beta2, epsilon: epsilon)
        // Parameters are independent: one per thread at a time (most are too small to split).
        Parallel.forEach(parameters.count) { i in
            let p = parameters[i]
            guard let g = p.tensor.grad else { return }
            precondition(g.shape == p.tensor.shape && g.dtype == p.tensor.dtype,
                         "AdamW: gradient of '\(p.name)' is \(g.shape) \(g.dtype), parameter is \(p.tensor.shape) \(p.tensor.dtype)")
            let decayFactor = decays[i] ? 1 - learningRate * weightDecay : 1
            switch p.tensor.dtype {
            case .float32: adamWStep(Float.self, p.tensor, g, firstMoments[i], secondMoments[i], decayFactor, constants)
            case .float64: adamWStep(Double.self, p.tensor, g, firstMoments[i], secondMoments[i], decayFactor, constants)
            }
        }
    }

    /// Clears the gradients of every optimised parameter.
    public func zeroGrad() {
        for p in parameters { p.tensor.zeroGrad() }
    }

    /// Restores the step count and the moments (e.g. from a checkpoint), checking shapes.
    public func restore(stepCount: Int, firstMoments m: [Tensor], secondMoments v: [Tensor]) throws {
        guard m.count == parameters.count, v.count == parameters.count else {
            throw CheckpointError.stateCountMismatch(expected: parameters.count, foundFirst: m.count, foundSecond: v.count)
        }
        for (i, p) in parameters.enumerated() {
            for (kind, src, dst) in [("first moment", m[i], firstMoments[i]), ("second moment", v[i], secondMoments[i])] {
                guard src.shape == dst.shape else {
                    throw CheckpointError.shapeMismatch(name: "\(kind) of \(p.name)", expected: dst.shape, found: src.shape, file: nil)
                }
                copyValues(from: src, into: dst)
            }
        }
        self.stepCount = stepCount
    }
}

/// The address of element 0 (nil for an empty tensor).
private func bufferAddress(_ t: Tensor) -> UnsafeRawPointer? {
    guard t.count > 0 else { return nil }
    switch t.dtype {
    case .float32: return t.withUnsafeBufferPointer(as: Float.self) { UnsafeRawPointer($0.baseAddress) }
    case .float64: return t.withUnsafeBufferPointer(as: Double.self) { UnsafeRawPointer($0.baseAddress) }
    }
}

/// Per-step scalars shared by every parameter's update.
struct AdamWStepConstants {
    let stepSize: Double
    let inverseSqrtCorrection2: Double
    let beta1: Double
    let beta2: Double
    let epsilon: Double
}

/// The fused AdamW update over one parameter's buffer (see `AdamW`).
///
/// Eight lanes at a time: with four buffers the compiler cannot prove apart, it keeps the
/// scalar loop unvectorised, and a lane-wise `squareRoot()` would stay scalar anyway
/// (`laneSquareRoot`). Each lane does the same IEEE operations as the scalar tail, so the
/// result is the same bit for bit.
private func adamWStep<T: TensorScalar & SIMDScalar>(_: T.Type, _ param: Tensor, _ grad: Tensor, _ m: Tensor, _ v: Tensor,
                                                     _ decayFactor: Double, _ c: AdamWStepConstants) {
    let decay = T(decayFactor), b1 = T(c.beta1), b2 = T(c.beta2)
    let oneMinusB1 = T(1 - c.beta1), oneMinusB2 = T(1 - c.beta2)
    let stepSize = T(c.stepSize), invSqrtC2 = T(c.inverseSqrtCorrection2), eps = T(c.epsilon)
    grad.withUnsafeBufferPointer(as: T.self) { g in
        param.withUnsafeMutableBufferPointer(as: T.self) { p in
            m.withUnsafeMutableBufferPointer(as: T.self) { m in
                v.withUnsafeMutableBufferPointer(as: T.self) { v in
                    guard let gp = g.baseAddress, let pp = p.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress else { return }
                    // Memory-bound: split large buffers over the worker threads.
                    Parallel.forRanges(p.count, minChunk: Parallel.elementGrain, align: 8) { range in
                        var i = range.lowerBound
                        while i + 8 <= range.upperBound {
                            let gi = UnsafeRawPointer(gp + i).loadUnaligned(as: SIMD8<T>.self)
                            let mi = b1 * UnsafeRawPointer(mp + i).loadUnaligned(as: SIMD8<T>.self) + oneMinusB1 * gi
                            let vi = b2 * UnsafeRawPointer(vp + i).loadUnaligned(as: SIMD8<T>.self) + oneMinusB2 * gi * gi
                            let pi = UnsafeRawPointer(pp + i).loadUnaligned(as: SIMD8<T>.self) * decay
                                - stepSize * mi / (laneSquareRoot(vi) * invSqrtC2 + eps)
                            UnsafeMutableRawPointer(mp + i).storeBytes(of: mi, as: SIMD8<T>.self)
                            UnsafeMutableRawPointer(vp + i).storeBytes(of: vi, as: SIMD8<T>.self)
                            UnsafeMutableRawPointer(pp + i).storeBytes(of: pi, as: SIMD8<T>.self)
                            i += 8
                        }
                        while i < range.upperBound {
                            let gi = gp[i]
                            let mi = b1 * mp[i] + oneMinusB1 * gi
                            let vi = b2 * vp[i] + oneMinusB2 * gi * gi
                            mp[i] = mi
                            vp[i] = vi
                            pp[i] = pp[i] * decay - stepSize * mi / (T.sqrt(vi) * invSqrtC2 + eps)
                            i += 1
                        }
                    }
                }
            }
        }
    }
}
