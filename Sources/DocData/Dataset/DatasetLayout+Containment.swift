import Foundation

/// Keeping page files inside the dataset: a page image or OCR file that is a symlink must
/// resolve inside the root (or inside the images/OCR directory, which may itself be a link to
/// another disk); a link pointing elsewhere is refused naming the link, and a link loop is
/// reported as a loop rather than a missing file.
extension DatasetLayout {
    /// Whether something (a file, or a symlink even if dangling or looping) exists at `relative`.
    func entryExists(_ relative: String) -> Bool {
        var info = stat()
        return lstat(url(relative).path, &info) == 0
    }

    /// The URL of `relative` after checking that it resolves inside the dataset; errors name
    /// the file relative to the root.
    ///
    /// ```swift
    /// let url = try layout.containedURL("images/doc_p0.png")   // throws for a link to /etc/passwd
    /// ```
    public func containedURL(_ relative: String) throws(DataError) -> URL {
        let link = url(relative)
        var info = stat()
        guard lstat(link.path, &info) == 0 else { return link }  // missing: the reader reports it
        guard info.st_mode & S_IFMT == S_IFLNK || Self.hasLinkedParent(link, below: root) else { return link }
        guard let target = Self.realPath(link.path) else {
            if errno == ELOOP { throw DataError(file: relative, "symlink loop (the link resolves back to itself)") }
            throw DataError(file: relative, "broken symlink (its target does not exist)")
        }
        let allowed = [root.path, url(imagesDirectory).path, url(ocrDirectory).path].compactMap(Self.realPath)
        guard allowed.contains(where: { target == $0 || target.hasPrefix($0 + "/") }) else {
            throw DataError(file: relative, "a symlink to a file outside the dataset root; refused (copy the file into the dataset instead)")
        }
        return URL(fileURLWithPath: target)
    }

    /// True when a directory between `root` and `url` is a symlink (then `url` may resolve elsewhere).
    static func hasLinkedParent(_ url: URL, below root: URL) -> Bool {
        var current = url.deletingLastPathComponent()
        let top = root.standardizedFileURL.path
        while current.standardizedFileURL.path.count > top.count {
            var info = stat()
            if lstat(current.path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { return true }
            current = current.deletingLastPathComponent()
        }
        return false
    }

    /// `realpath(3)`, or nil (with `errno` set) when the path cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
