import Foundation

struct Store {
    let base: String
}

extension Store {
    func inExtension() {
        _ = FileManager.default.contents(atPath: "\(base)/data.bin")
    }

    func inClosure() {
        let work = { (name: String) in
            try? Data(contentsOf: URL(fileURLWithPath: "\(self.base)/\(name)"))
        }
        _ = work("x")
    }
}

#if os(Linux)
let linuxHome = try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)
#else
let otherHome = try? String(contentsOfFile: "/etc/master.passwd", encoding: .utf8)
#endif
