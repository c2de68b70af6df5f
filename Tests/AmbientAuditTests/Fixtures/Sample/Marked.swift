import Foundation

// capsule-audit: allow ambient — reads the deployment manifest once at start-up
func loadManifest() -> Data? {
    FileManager.default.contents(atPath: "/etc/app/manifest.json")
}

// capsule-audit: allow ambient — nothing ambient here any more
func stale() -> Int { 1 }

/// Mentions capsule-audit: allow ambient in prose, which approves nothing.
func notAMarker() -> Data? {
    FileManager.default.contents(atPath: "/etc/app/other.json")
}
