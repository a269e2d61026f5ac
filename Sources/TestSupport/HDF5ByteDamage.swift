import CHDF5
import Foundation

/// Damages an HDF5 file the way a bad disk sector would: one stored byte of one dataset
/// flipped behind HDF5's back. The byte's file offset comes from HDF5's chunk index
/// (`H5Dget_chunk_info_by_coord`), so a test can aim at a row of any dataset.
public enum HDF5ByteDamage {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// File offset of byte `byte` of row `row` (axis 0) of chunked, unfiltered dataset
    /// `dataset`, whose chunks span every axis but the first.
    public static func offset(file: String, dataset: String, row: Int, byte: Int = 0) throws -> UInt64 {
        let fileId = H5Fopen(file, mpvqa_h5f_acc_rdonly(), mpvqa_h5p_default())
        guard fileId >= 0 else { throw Failure(description: "\(file): cannot open with HDF5") }
        defer { H5Fclose(fileId) }
        let datasetId = H5Dopen2(fileId, dataset, mpvqa_h5p_default())
        guard datasetId >= 0 else { throw Failure(description: "\(file): no dataset '\(dataset)'") }
        defer { H5Dclose(datasetId) }
        let space = H5Dget_space(datasetId), type = H5Dget_type(datasetId), plist = H5Dget_create_plist(datasetId)
        defer { H5Sclose(space); H5Tclose(type); H5Pclose(plist) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: rank), chunk = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        guard H5Pget_chunk(plist, Int32(rank), &chunk) == Int32(rank), chunk.dropFirst() == dims.dropFirst() else {
            throw Failure(description: "\(file): dataset '\(dataset)' is not chunked by rows")
        }
        let rowBytes = Int(H5Tget_size(type)) * dims.dropFirst().reduce(1) { $0 * Int($1) }
        guard row < Int(dims[0]), byte < rowBytes else { throw Failure(description: "\(file): dataset '\(dataset)' has no byte \(byte) of row \(row)") }
        let chunkRow = (row / Int(chunk[0])) * Int(chunk[0])
        var origin = [hsize_t](repeating: 0, count: rank)
        origin[0] = hsize_t(chunkRow)
        var mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
        guard H5Dget_chunk_info_by_coord(datasetId, &origin, &mask, &address, &size) >= 0, mask == 0 else {
            throw Failure(description: "\(file): dataset '\(dataset)': no unfiltered chunk holds row \(row)")
        }
        return UInt64(address) + UInt64((row - chunkRow) * rowBytes + byte)
    }

    /// Flips bit `bit` of byte `byte` of row `row` of `dataset` in the file, in place.
    public static func flip(file: String, dataset: String, row: Int, byte: Int = 0, bit: Int = 0) throws {
        let at = try offset(file: file, dataset: dataset, row: row, byte: byte)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seek(toOffset: at)
        guard var value = try handle.read(upToCount: 1)?.first else { throw Failure(description: "\(file): offset \(at) is past the end") }
        value ^= UInt8(1 << bit)
        try handle.seek(toOffset: at)
        try handle.write(contentsOf: [value])
    }
}
