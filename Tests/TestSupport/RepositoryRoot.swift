// Where the repository's files are, for the tests that read fixtures, guests, examples or the README.
import SystemPackage

/// The repository's root directory (the one holding Package.swift), found from this file's place
/// in `Tests/TestSupport/`: the one lookup from `#filePath` that tests share.
public let repositoryRoot: FilePath = FilePath(#filePath).removingLastComponent().removingLastComponent().removingLastComponent()
