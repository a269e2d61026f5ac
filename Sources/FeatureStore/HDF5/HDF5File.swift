import CHDF5
import Foundation

/// An open HDF5 file with the handful of operations the feature cache needs: root-group
/// attributes, datasets by name, flush (optionally to stable storage) and close.
final class HDF5File {
    let path: String
    let writable: Bool
    private let handle: HDF5Handle
    var id: hid_t { handle.id }

    private init(path: String, writable: Bool, handle: HDF5Handle) {
        self.path = path
        self.writable = writable
        self.handle = handle
    }

    /// Creates a new file; fails if `path` exists. Default (earliest) format bounds keep the
    /// file readable by every HDF5 1.8+ library, h5py and h5dump.
    static func create(path: String) throws -> HDF5File {
        try HDF5.locked {
            let id = try HDF5.check(H5Fcreate(path, mpvqa_h5f_acc_excl(), mpvqa_h5p_default(), mpvqa_h5p_default()),
                                    "create HDF5 file")
            return HDF5File(path: path, writable: true, handle: HDF5Handle(id, .file))
        }
    }

    /// Opens an existing file. A writer takes HDF5's exclusive file lock (a second writer
    /// fails cleanly); a reader takes none, so it can look at a file a writer is filling
    /// (it trusts only the committed `rows`, see `FeatureCacheSchema`).
    static func open(path: String, writable: Bool) throws -> HDF5File {
        try HDF5.locked {
            if writable {
                var id = H5Fopen(path, mpvqa_h5f_acc_rdwr(), mpvqa_h5p_default())
                if id < 0 {
                    let message = HDF5.takeErrorMessage()
                    // A write that failed for lack of space (README "Errors") leaves the file's
                    // recorded end beyond what reached the disk; the rows it counts as committed
                    // were flushed before and lie inside. Restoring the recorded length (zeros,
                    // sparse) makes it open again, so the writer resumes after those rows; their
                    // row digests still check every byte.
                    guard let stored = HDF5File.storedEndOfFile(truncationMessage: message),
                          let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, stored > size,
                          truncate(path, off_t(stored)) == 0 else {
                        throw HDF5Failure(operation: "open HDF5 file for writing", detail: message)
                    }
                    id = try HDF5.check(H5Fopen(path, mpvqa_h5f_acc_rdwr(), mpvqa_h5p_default()), "open HDF5 file for writing")
                }
                return HDF5File(path: path, writable: true, handle: HDF5Handle(id, .file))
            }
            let fapl = HDF5Handle(try HDF5.check(H5Pcreate(mpvqa_h5p_file_access()), "create file access list"), .propertyList)
            try HDF5.check(H5Pset_file_locking(fapl.id, false, true), "disable file locking for reading")
            var id = H5Fopen(path, mpvqa_h5f_acc_rdonly(), fapl.id)
            if id < 0 {
                let message = HDF5.takeErrorMessage()
                guard message.contains("locking flag") else { throw HDF5Failure(operation: "open HDF5 file", detail: message) }
                // This process already has the file open (a writer, with locking): HDF5 shares
                // that open file, and insists on the same locking setting.
                id = try HDF5.check(H5Fopen(path, mpvqa_h5f_acc_rdonly(), mpvqa_h5p_default()), "open HDF5 file")
            }
            return HDF5File(path: path, writable: false, handle: HDF5Handle(id, .file))
        }
    }

    /// The recorded end of file of HDF5's "truncated file: eof = A, …, stored_eof = B" message.
    static func storedEndOfFile(truncationMessage message: String) -> Int? {
        guard message.contains("truncated file"), let range = message.range(of: "stored_eof = ") else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }

    /// Writes every buffered raw-data chunk and dirty metadata entry to the file; with
    /// `sync`, also waits until the operating system has them on stable storage.
    func flush(sync: Bool) throws {
        try HDF5.locked {
            try HDF5.check(H5Fflush(id, H5F_SCOPE_LOCAL), "flush")
            guard sync else { return }
            var raw: UnsafeMutableRawPointer?
            try HDF5.check(H5Fget_vfd_handle(id, mpvqa_h5p_default(), &raw), "get file descriptor")
            // The default (sec2) driver's handle is a pointer to its POSIX descriptor.
            if let raw, fsync(raw.load(as: Int32.self)) != 0 {
                let error = errno
                throw HDF5Failure(operation: "fsync", detail: "errno = \(error), error message = '\(String(cString: strerror(error)))'")
            }
        }
    }

    /// Closes the file (HDF5 flushes what is still buffered).
    func close() throws {
        if !handle.close() { throw HDF5Failure(operation: "close file", detail: HDF5.locked { HDF5.takeErrorMessage() }) }
    }

    // MARK: Datasets

    func hasDataset(_ name: String) throws -> Bool {
        try HDF5.locked {
            guard try HDF5.check(tri: H5Lexists(id, name, mpvqa_h5p_default()), "look up \(name)") else { return false }
            var info = H5O_info_t()
            try HDF5.check(H5Oget_info_by_name2(id, name, &info, UInt32(H5O_INFO_BASIC), mpvqa_h5p_default()), "inspect \(name)")
            return info.type == H5O_TYPE_DATASET
        }
    }

    func openDataset(_ name: String) throws -> HDF5Dataset {
        try HDF5.locked {
            let dapl = HDF5Handle(try HDF5.check(H5Pcreate(mpvqa_h5p_dataset_access()), "create dataset access list"), .propertyList)
            // A chunk cache of a few MiB holds the partly written chunk of a batch and the
            // chunks of one question's rows; w0 = 1 evicts fully read/written chunks first.
            try HDF5.check(H5Pset_chunk_cache(dapl.id, 12_421, 8 << 20, 1.0), "set chunk cache")
            let d = try HDF5.check(H5Dopen2(id, name, dapl.id), "open dataset")
            return HDF5Dataset(name: name, handle: HDF5Handle(d, .dataset))
        }
    }

    /// Creates a chunked dataset `[dims...]`, extendable without limit along axis 0.
    ///
    /// With `preallocate` every chunk of the current extent gets its file space (and an
    /// entry in the chunk index) now, without fill writes; later writes into those rows
    /// touch only raw data in place, never metadata. Filters (compression) rule that out:
    /// HDF5 must place each compressed chunk when it is written.
    func createDataset(_ name: String, type: hid_t, dims: [Int], chunk: [Int], preallocate: Bool,
                       deflateLevel: Int?) throws -> HDF5Dataset {
        try HDF5.locked {
            var current = dims.map { hsize_t($0) }
            var maximum = current
            maximum[0] = mpvqa_h5s_unlimited()
            let space = HDF5Handle(try HDF5.check(H5Screate_simple(Int32(dims.count), &current, &maximum), "create dataspace"), .dataspace)
            let dcpl = HDF5Handle(try HDF5.check(H5Pcreate(mpvqa_h5p_dataset_create()), "create dataset creation list"), .propertyList)
            var chunkDims = chunk.map { hsize_t($0) }
            try HDF5.check(H5Pset_chunk(dcpl.id, Int32(chunk.count), &chunkDims), "set chunk shape \(chunk)")
            // No modification times: identical inputs give identical files.
            try HDF5.check(H5Pset_obj_track_times(dcpl.id, false), "disable time tracking")
            if let level = deflateLevel {
                try HDF5.check(H5Pset_deflate(dcpl.id, UInt32(level)), "set deflate level \(level)")
            } else if preallocate {
                try HDF5.check(H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_EARLY), "set early allocation")
                try HDF5.check(H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_NEVER), "disable fill writes")
            }
            let d = try HDF5.check(H5Dcreate2(id, name, type, space.id, mpvqa_h5p_default(), dcpl.id, mpvqa_h5p_default()),
                                   "create dataset")
            _ = HDF5Handle(d, .dataset)
            return try openDataset(name)
        }
    }

    // MARK: Root attributes

    func hasAttribute(_ name: String) throws -> Bool {
        try HDF5.locked { try HDF5.check(tri: H5Aexists(id, name), "look up attribute \(name)") }
    }

    func attributeType(_ name: String) throws -> HDF5ElementType {
        try HDF5.locked {
            let attr = try openAttribute(name)
            let type = HDF5Handle(try HDF5.check(H5Aget_type(attr.id), "get attribute type"), .datatype)
            return try HDF5ElementType.classify(type.id)
        }
    }

    /// Reads an integer attribute of any integer width (HDF5 converts to Int64).
    func readIntAttribute(_ name: String) throws -> Int64 {
        try HDF5.locked {
            let attr = try openAttribute(name)
            let type = HDF5Handle(try HDF5.check(H5Aget_type(attr.id), "get attribute type"), .datatype)
            let kind = try HDF5ElementType.classify(type.id)
            guard kind.isInteger else { throw HDF5Failure(operation: "expected an integer, found \(kind.name)", detail: "") }
            try requireSingleValue(attr)
            var value: Int64 = 0
            try HDF5.check(H5Aread(attr.id, mpvqa_h5t_native_int64(), &value), "read attribute")
            return value
        }
    }

    /// Reads a string attribute stored either variable-length or fixed-length.
    func readStringAttribute(_ name: String) throws -> String {
        try HDF5.locked {
            let attr = try openAttribute(name)
            let type = HDF5Handle(try HDF5.check(H5Aget_type(attr.id), "get attribute type"), .datatype)
            let kind = try HDF5ElementType.classify(type.id)
            try requireSingleValue(attr)
            switch kind {
            case .variableString:
                // The attribute's own type as memory type: HDF5 converts no strings between
                // ASCII and UTF-8 character sets, and files carry either.
                var pointer: UnsafeMutablePointer<CChar>?
                try HDF5.check(H5Aread(attr.id, type.id, &pointer), "read attribute")
                defer { if let pointer { H5free_memory(pointer) } }
                return pointer.map { String(cString: $0) } ?? ""
            case .fixedString(let bytes):
                let memType = HDF5Handle(try HDF5.check(H5Tcopy(type.id), "copy string type"), .datatype)
                var buffer = [UInt8](repeating: 0, count: bytes + 1)
                try HDF5.check(H5Aread(attr.id, memType.id, &buffer), "read attribute")
                return FixedStrings.decode(buffer[0..<bytes])
            default:
                throw HDF5Failure(operation: "expected a string, found \(kind.name)", detail: "")
            }
        }
    }

    /// Writes a scalar 64-bit integer attribute, creating it if needed. Rewriting an
    /// existing attribute changes its bytes in place in the root group's object header.
    func writeIntAttribute(_ name: String, _ value: Int64) throws {
        try HDF5.locked {
            let attr: HDF5Handle
            if try hasAttribute(name) {
                attr = try openAttribute(name)
            } else {
                let space = HDF5Handle(try HDF5.check(H5Screate(H5S_SCALAR), "create scalar dataspace"), .dataspace)
                attr = HDF5Handle(try HDF5.check(H5Acreate2(id, name, mpvqa_h5t_std_i64le(), space.id, mpvqa_h5p_default(),
                                                            mpvqa_h5p_default()), "create attribute \(name)"), .attribute)
            }
            var v = value
            try HDF5.check(H5Awrite(attr.id, mpvqa_h5t_native_int64(), &v), "write attribute \(name)")
        }
    }

    /// Creates a scalar variable-length UTF-8 string attribute (h5py reads it as `str`).
    func writeStringAttribute(_ name: String, _ value: String) throws {
        try HDF5.locked {
            if try hasAttribute(name) { try HDF5.check(H5Adelete(id, name), "delete attribute \(name)") }
            let type = try HDF5Types.utf8String(bytes: nil)
            let space = HDF5Handle(try HDF5.check(H5Screate(H5S_SCALAR), "create scalar dataspace"), .dataspace)
            let attr = HDF5Handle(try HDF5.check(H5Acreate2(id, name, type.id, space.id, mpvqa_h5p_default(), mpvqa_h5p_default()),
                                                 "create attribute \(name)"), .attribute)
            try value.withCString { cString in
                var pointer: UnsafePointer<CChar>? = cString
                try HDF5.check(H5Awrite(attr.id, type.id, &pointer), "write attribute \(name)")
            }
        }
    }

    private func openAttribute(_ name: String) throws -> HDF5Handle {
        HDF5Handle(try HDF5.check(H5Aopen(id, name, mpvqa_h5p_default()), "open attribute"), .attribute)
    }

    private func requireSingleValue(_ attr: HDF5Handle) throws {
        let space = HDF5Handle(try HDF5.check(H5Aget_space(attr.id), "get attribute dataspace"), .dataspace)
        let points = H5Sget_simple_extent_npoints(space.id)
        if points != 1 { throw HDF5Failure(operation: "expected a single value, found \(points)", detail: "") }
    }
}

/// Fixed-length string fields: UTF-8 bytes padded with NULs (h5py's and our layout).
enum FixedStrings {
    /// The string in `bytes` up to the first NUL.
    static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
