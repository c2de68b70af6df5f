import Foundation
import Glibc

typealias FM = FileManager
typealias Files = FM
typealias FH = FileHandle

let sharedFiles = Files.default

func aliased(path: String) {
    let fm = FM.default
    fm.createFile(atPath: path, contents: nil)
    sharedFiles.fileExists(atPath: path)
    _ = FH(forWritingAtPath: path)
    let opener = fopen
    _ = opener(path, "w")
}

func injected(manager: FileManager, path: String) {
    _ = manager.contents(atPath: path)
}
