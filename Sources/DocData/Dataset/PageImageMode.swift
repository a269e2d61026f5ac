/// Which image, if any, the dataset delivers with a page.
public enum PageImageMode: Sendable, Equatable {
    /// No image (OCR only; no image file is read).
    case none
    /// The decoded image at its stored size.
    case original
    /// Decoded and area-averaged to exactly `width`×`height` (cheaper to hold).
    case resized(width: Int, height: Int)
}
