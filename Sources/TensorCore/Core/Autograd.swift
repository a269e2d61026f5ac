/// A node of the reverse-mode tape.
///
/// Every op whose inputs need gradients records one node holding its vector-Jacobian
/// product: given the gradient of the output, it returns the gradient of each input
/// (nil where an input needs none). Leaves (parameters) have no VJP and keep the
/// gradient accumulated into them until `zeroGrad()`.
public final class GradNode: @unchecked Sendable {
    /// Op name, for error messages and profiles.
    public let op: String
    let inputs: [GradNode?]
    let vjp: ((Tensor) -> [Tensor?])?
    let shape: [Int]
    /// Accumulated gradient: kept on leaves, transient on interior nodes during `backward()`.
    var grad: Tensor?
    /// A frozen leaf is treated as a constant: ops record no gradient path into it.
    var isFrozen = false

    init(op: String, inputs: [GradNode?], shape: [Int], vjp: ((Tensor) -> [Tensor?])?) {
        self.op = op
        self.inputs = inputs
        self.shape = shape
        self.vjp = vjp
    }

    var isLeaf: Bool { vjp == nil }

    /// Adds `g` into this node's gradient (tensors used twice get the sum). The sum is
    /// written into the gradient held so far when nothing else reads its storage (a VJP's
    /// fresh result, typically), so a tensor read many times, such as a decoder memory,
    /// does not allocate a new gradient per use.
    func accumulate(_ g: Tensor) {
        precondition(g.shape == shape, "backward: op '\(op)' produced a gradient of shape \(g.shape) for a tensor of shape \(shape)")
        guard var existing = grad else {
            grad = g.detached()
            return
        }
        grad = nil
        grad = existing.addInPlaceIfUnshared(g) ? existing : existing.adding(g)
    }
}

/// Leaf gradients gathered by `Tensor.backwardCollectingLeafGradients` and not yet added
/// to the leaves.
public final class LeafGradients: @unchecked Sendable {
    private var sums: [ObjectIdentifier: (leaf: GradNode, grad: Tensor)] = [:]

    /// No gradients.
    public init() {}

    /// How many leaves received a gradient.
    public var count: Int { sums.count }

    func add(_ g: Tensor, to leaf: GradNode) {
        precondition(g.shape == leaf.shape, "backward: a gradient of shape \(g.shape) for a leaf of shape \(leaf.shape)")
        let id = ObjectIdentifier(leaf)
        guard var entry = sums.removeValue(forKey: id) else {
            sums[id] = (leaf, g.detached())
            return
        }
        if !entry.grad.addInPlaceIfUnshared(g) { entry.grad = entry.grad.adding(g) }
        sums[id] = entry
    }

    /// Adds each gathered gradient to its leaf's `grad` (as `backward()` would have) and
    /// lets go of it, so the next shard's gradients add in place into what this one left.
    public func addToLeaves() {
        while let (_, entry) = sums.popFirst() { entry.leaf.accumulate(entry.grad) }
    }
}

/// Whether ops record onto the tape. Off inside `withNoGrad` and during `backward()`.
/// Per thread: a thread running `backward()` does not stop another thread's forward pass
/// from recording (concurrent training shards, `Tensor.backwardCollectingLeafGradients`).
public enum GradMode {
    private static let disabled = ThreadLocalFlag()

    static var enabled: Bool {
        @inline(__always) get { !disabled.isSet }
        set { disabled.set(!newValue) }
    }

    public static var isEnabled: Bool { enabled }
}

/// Runs `body` without recording gradients (inference, optimiser updates, evaluation).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = GradMode.enabled
    GradMode.enabled = false
    defer { GradMode.enabled = saved }
    return try body()
}

extension Tensor {
    /// True when this tensor is a parameter that is not frozen, or depends on one.
    public var requiresGrad: Bool {
        guard let node else { return false }
        return !node.isFrozen
    }

    /// Freezes (or unfreezes) this leaf: while frozen, ops treat it as a constant, so
    /// `backward()` neither computes nor accumulates its gradient (e.g. an encoder whose
    /// features are cached). Shared by every copy of the parameter.
    public func setFrozen(_ frozen: Bool) {
        precondition(node?.isLeaf ?? false, "setFrozen: only a parameter (a leaf that requires grad) can be frozen")
        node!.isFrozen = frozen
    }

    /// This tensor as a leaf that accumulates gradients (a parameter). Shares storage.
    public func requiringGrad() -> Tensor {
        var t = detached()
        t.node = GradNode(op: "leaf", inputs: [], shape: shape, vjp: nil)
        return t
    }

    /// The gradient accumulated into this leaf by `backward()` calls, nil before any.
    public var grad: Tensor? { node?.grad }

    /// Clears the accumulated gradient of this leaf.
    public func zeroGrad() { node?.grad = nil }

    /// Attaches a tape node for the op that produced `self` when grad mode is on and
    /// any input requires a gradient. `vjp` receives the output gradient.
    mutating func record(_ op: String, inputs: [Tensor], vjp: @escaping (Tensor) -> [Tensor?]) {
        if OpProfiler.isEnabled { OpProfiler.forwardOpFinished(op) }
        guard GradMode.enabled, inputs.contains(where: \.requiresGrad) else { return }
        node = GradNode(op: op, inputs: inputs.map { $0.requiresGrad ? $0.node : nil }, shape: shape, vjp: vjp)
    }

    /// Back-propagates from this tensor: d(self)/d(leaf) is added to every leaf's `grad`.
    /// `seed` is the gradient of the final objective w.r.t. `self` (default: ones,
    /// which for a scalar loss is dloss/dloss = 1).
    public func backward(seed: Tensor? = nil) {
        propagate(seed: seed) { leaf, g in leaf.accumulate(g) }
    }

    /// `backward()` that leaves every leaf's `grad` untouched and returns the leaf gradients
    /// instead, to be added later with `LeafGradients.addToLeaves()`. Graphs that share only
    /// leaves (training shards: the same parameters, separate inputs) can run this on
    /// separate threads at once; adding their results in a fixed order keeps the sums
    /// deterministic.
    public func backwardCollectingLeafGradients(seed: Tensor? = nil) -> LeafGradients {
        let collected = LeafGradients()
        propagate(seed: seed) { leaf, g in collected.add(g, to: leaf) }
        return collected
    }

    /// Runs every VJP from this tensor back to the leaves; `leafGradient` receives what
    /// reaches each leaf (interior nodes accumulate their own, transiently).
    private func propagate(seed: Tensor?, leafGradient: (GradNode, Tensor) -> Void) {
        guard let root = node else { return }
        let g = seed ?? Tensor.ones(shape, dtype: dtype)
        precondition(g.shape == shape, "backward: seed shape \(g.shape) differs from tensor shape \(shape)")
        if root.isLeaf {
            leafGradient(root, g)
            return
        }
        let profileStart = OpProfiler.isEnabled ? OpProfiler.backwardBegan() : nil
        defer { if let profileStart { OpProfiler.backwardEnded(started: profileStart) } }
        withNoGrad {
            let order = Tensor.topologicalOrder(from: root)
            root.accumulate(g)
            for n in order.reversed() {
                guard let vjp = n.vjp, let gOut = n.grad else { continue }
                n.grad = nil  // interior gradients are freed as soon as they are consumed
                let vjpStart = profileStart == nil ? 0 : OpProfiler.now()
                let gIns = vjp(gOut)
                if profileStart != nil { OpProfiler.vjpFinished(n.op, started: vjpStart) }
                precondition(gIns.count == n.inputs.count, "backward: op '\(n.op)' returned \(gIns.count) gradients for \(n.inputs.count) inputs")
                for (input, gIn) in zip(n.inputs, gIns) {
                    guard let input, let gIn else { continue }
                    if input.isLeaf { leafGradient(input, gIn) } else { input.accumulate(gIn) }
                }
            }
        }
    }

    /// Nodes reachable from `root`, each after all of its inputs (iterative DFS).
    static func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, next) = stack.popLast() {
            if next < n.inputs.count {
                stack.append((n, next + 1))
                if let child = n.inputs[next], visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(n)
            }
        }
        return order
    }
}
