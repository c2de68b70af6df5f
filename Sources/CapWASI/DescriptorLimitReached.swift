// The descriptor limit, told in one sentence by every host.

/// The instance holds its limit of open descriptors (``WASILimits/maxDescriptors``,
/// `--max-descriptors`, `max_descriptors`). A preview 1 guest is told `ERRNO_MFILE`; a WASI 0.2
/// guest, whose every resource counts against the limit, `insufficient-memory` from a function
/// returning `result<_, error-code>`, and a trap from any other, its only way to fail.
struct DescriptorLimitReached: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the instance holds its limit of \(limit) open descriptors" }
}
