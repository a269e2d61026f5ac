/// Visual patch tokens of every page row: flattened pixels of a grid of image patches.
///
/// Shapes: `values: [R, N, patchPixels]` row-major, `positions: [N, 2]` (grid row, grid
/// column) of each patch, the same for every page. The N patch tokens are appended after
/// the L text positions of each row; they are masked on rows without any valid token
/// (padded pages).
public struct PatchInput: Sendable, Equatable {
    /// N: patches per page.
    public var count: Int
    /// Values per patch (patch side² · channels).
    public var pixels: Int
    /// `[R, N, pixels]`.
    public var values: [Float]
    /// `[N, 2]` (row, column) grid position of each patch.
    public var positions: [Int32]

    public init(count: Int, pixels: Int, values: [Float], positions: [Int32]) {
        precondition(count > 0 && pixels > 0, "PatchInput: need at least one patch of at least one value, got \(count) × \(pixels)")
        precondition(values.count % (count * pixels) == 0,
                     "PatchInput: \(values.count) values are not a whole number of rows of \(count) × \(pixels)")
        precondition(positions.count == count * 2, "PatchInput: \(positions.count) position values for \(count) patches (need [N, 2])")
        precondition(positions.allSatisfy { $0 >= 0 }, "PatchInput: grid positions must be non-negative")
        self.count = count
        self.pixels = pixels
        self.values = values
        self.positions = positions
    }

    /// R: page rows the values cover.
    public var rows: Int { values.count / (count * pixels) }
}
