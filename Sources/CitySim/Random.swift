// Random.swift — seeded, process-independent randomness for the simulation.
//
// Every random draw in CitySim comes from here: a SplitMix64 stream seeded from the level seed,
// or a stateless hash of (seed, keys) when a draw must not depend on the order of others
// (e.g. one citizen's choice on one day). Nothing uses the system generator or the clock.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, and the same on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable, Codable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal draw (Box–Muller; uses two uniforms).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return (-2 * DeterministicMath.log(u1)).squareRoot() * DeterministicMath.cos(2 * Double.pi * u2)
    }

    @inlinable
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A stateless uniform in [0, 1) from a seed and keys.
    public static func unit(seed: UInt64, _ a: UInt64, _ b: UInt64 = 0) -> Double {
        let h = mix(mix(seed ^ 0x5851_F42D_4C95_7F2D &+ a) &+ b &* 0x2545_F491_4F6C_DD1D)
        return Double(h >> 11) * 0x1.0p-53
    }
}
