import Foundation

struct Opener {
    var access = 0

    func open(_ name: String) -> Int { name.count }

    func use(dir: Int) {
        _ = open("x")
        _ = rename("a", "b")
        var output = ""
        print("x", to: &output)
        "y".write(to: &output)
        _ = FileHandle(fileDescriptor: 1)
        _ = Data(count: 3)
        _ = URL(fileURLWithPath: "/tmp/x")
        let access = self.access
        _ = access
    }
}

func rename(_ from: String, _ to: String) -> Bool { from == to }
