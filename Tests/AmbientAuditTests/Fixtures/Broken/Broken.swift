import Foundation

func broken( {
    _ = FileManager.default.contents(atPath: "/x")
