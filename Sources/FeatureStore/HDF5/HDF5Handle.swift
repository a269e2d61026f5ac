import CHDF5

/// An open HDF5 identifier that is closed exactly once, when the handle goes away
/// (or earlier through `close()`).
final class HDF5Handle {
    enum Kind { case file, dataset, dataspace, datatype, attribute, propertyList }

    let id: hid_t
    let kind: Kind
    private var isOpen = true

    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    /// Closes the identifier; returns false when HDF5 reports a failure (e.g. a file
    /// whose final flush could not be written).
    @discardableResult
    func close() -> Bool {
        guard isOpen else { return true }
        isOpen = false
        return HDF5.locked {
            let status: herr_t
            switch kind {
            case .file: status = H5Fclose(id)
            case .dataset: status = H5Dclose(id)
            case .dataspace: status = H5Sclose(id)
            case .datatype: status = H5Tclose(id)
            case .attribute: status = H5Aclose(id)
            case .propertyList: status = H5Pclose(id)
            }
            return status >= 0
        }
    }

    deinit { close() }
}
