import CHDF5

/// An open dataset: its extent, element type and layout, and row-range I/O along axis 0.
final class HDF5Dataset {
    let name: String
    private let handle: HDF5Handle

    init(name: String, handle: HDF5Handle) {
        self.name = name
        self.handle = handle
    }

    /// Current extent, e.g. `[N, K, d]`.
    func extent() throws -> [Int] {
        try HDF5.locked {
            let space = HDF5Handle(try HDF5.check(H5Dget_space(handle.id), "get dataspace"), .dataspace)
            let rank = try Int(HDF5.check(hid_t(H5Sget_simple_extent_ndims(space.id)), "get rank"))
            var dims = [hsize_t](repeating: 0, count: rank)
            if rank > 0 { try HDF5.check(H5Sget_simple_extent_dims(space.id, &dims, nil), "get extent") }
            return dims.map { Int($0) }
        }
    }

    func elementType() throws -> HDF5ElementType {
        try HDF5.locked {
            let type = HDF5Handle(try HDF5.check(H5Dget_type(handle.id), "get datatype"), .datatype)
            return try HDF5ElementType.classify(type.id)
        }
    }

    /// A copy of the on-disk datatype (to read fixed-length strings with).
    func fileType() throws -> HDF5Handle {
        try HDF5.locked { HDF5Handle(try HDF5.check(H5Dget_type(handle.id), "get datatype"), .datatype) }
    }

    /// Chunk shape, or nil for contiguous/compact layouts.
    func chunkShape() throws -> [Int]? {
        try HDF5.locked {
            let dcpl = HDF5Handle(try HDF5.check(H5Dget_create_plist(handle.id), "get creation properties"), .propertyList)
            guard H5Pget_layout(dcpl.id) == H5D_CHUNKED else { return nil }
            var dims = [hsize_t](repeating: 0, count: 32)
            let rank = Int(H5Pget_chunk(dcpl.id, 32, &dims))
            if rank < 0 { throw HDF5Failure(operation: "get chunk shape", detail: HDF5.takeErrorMessage()) }
            return dims.prefix(rank).map { Int($0) }
        }
    }

    /// Names of the filters in the pipeline (e.g. `["deflate"]`), empty when uncompressed.
    func filterNames() throws -> [String] {
        try HDF5.locked {
            let dcpl = HDF5Handle(try HDF5.check(H5Dget_create_plist(handle.id), "get creation properties"), .propertyList)
            let count = H5Pget_nfilters(dcpl.id)
            if count < 0 { throw HDF5Failure(operation: "count filters", detail: HDF5.takeErrorMessage()) }
            var names: [String] = []
            for index in 0..<UInt32(count) {
                var flags: UInt32 = 0, valueCount = 0, config: UInt32 = 0
                var name = [CChar](repeating: 0, count: 128)
                let filter = H5Pget_filter2(dcpl.id, index, &flags, &valueCount, nil, name.count, &name, &config)
                switch filter {
                case 1: names.append("deflate")
                case 2: names.append("shuffle")
                case 3: names.append("fletcher32")
                default:
                    let text = HDF5.cString(name)
                    names.append(text.isEmpty ? "filter \(filter)" : text)
                }
            }
            return names
        }
    }

    /// Sets the extent along axis 0 (other axes unchanged); shrinking frees the chunks beyond.
    func setRows(_ rows: Int) throws {
        try HDF5.locked {
            var dims = try extent().map { hsize_t($0) }
            dims[0] = hsize_t(rows)
            try HDF5.check(H5Dset_extent(handle.id, &dims), "set extent to \(dims)")
        }
    }

    /// Writes rows `start ..< start + count` from `buffer` (laid out `[count, rest...]` in `memType`).
    func writeRows(start: Int, count: Int, memType: hid_t, from buffer: UnsafeRawPointer) throws {
        guard count > 0 else { return }
        try HDF5.locked {
            let (fileSpace, memSpace) = try selectRows(start: start, count: count)
            try HDF5.check(H5Dwrite(handle.id, memType, memSpace.id, fileSpace.id, mpvqa_h5p_default(), buffer),
                           "write rows \(start)..<\(start + count)")
        }
    }

    /// Reads rows `start ..< start + count` into `buffer` (laid out `[count, rest...]` in `memType`).
    func readRows(start: Int, count: Int, memType: hid_t, into buffer: UnsafeMutableRawPointer) throws {
        guard count > 0 else { return }
        try HDF5.locked {
            let (fileSpace, memSpace) = try selectRows(start: start, count: count)
            try HDF5.check(H5Dread(handle.id, memType, memSpace.id, fileSpace.id, mpvqa_h5p_default(), buffer),
                           "read rows \(start)..<\(start + count)")
        }
    }

    /// Reads rows of a variable-length string dataset; HDF5 allocates each string, which is
    /// copied and released here.
    func readVariableStrings(start: Int, count: Int) throws -> [String] {
        guard count > 0 else { return [] }
        return try HDF5.locked {
            // The dataset's own type (HDF5 hands it out as a memory type): no ASCII/UTF-8 conversion exists.
            let memType = try fileType()
            let (fileSpace, memSpace) = try selectRows(start: start, count: count)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try HDF5.check(H5Dread(handle.id, memType.id, memSpace.id, fileSpace.id, mpvqa_h5p_default(), &pointers),
                           "read rows \(start)..<\(start + count)")
            let strings = pointers.map { (pointer: UnsafeMutablePointer<CChar>?) -> String in
                guard let pointer else { return "" }
                return String(cString: UnsafePointer(pointer))
            }
            _ = H5Dvlen_reclaim(memType.id, memSpace.id, mpvqa_h5p_default(), &pointers)
            return strings
        }
    }

    /// Selects rows `start ..< start + count` in the file and a matching memory dataspace.
    private func selectRows(start: Int, count: Int) throws -> (file: HDF5Handle, memory: HDF5Handle) {
        let dims = try extent()
        guard start >= 0, start + count <= dims[0] else {
            throw HDF5Failure(operation: "rows \(start)..<\(start + count) lie outside the extent \(dims)", detail: "")
        }
        let fileSpace = HDF5Handle(try HDF5.check(H5Dget_space(handle.id), "get dataspace"), .dataspace)
        var offset = [hsize_t](repeating: 0, count: dims.count)
        offset[0] = hsize_t(start)
        var shape = dims.map { hsize_t($0) }
        shape[0] = hsize_t(count)
        try HDF5.check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &offset, nil, &shape, nil), "select rows")
        let memSpace = HDF5Handle(try HDF5.check(H5Screate_simple(Int32(dims.count), &shape, nil), "create memory dataspace"),
                                  .dataspace)
        return (fileSpace, memSpace)
    }
}
