// DeterministicMath.swift — exp, log, log1p, pow, sin and cos written with + − × ÷ only.
//
// The platform's libm may differ between C libraries and versions in the last bit, so a city
// graded on another Linux could drift to other bytes. These functions use IEEE-754 basic
// operations alone (each correctly rounded, so the same on every machine), in a fixed order,
// with no fused multiply-add left to the compiler's choice. Accuracy: within about 1e-15
// relative of the true value for exp, log, log1p, sin and cos on the ranges the simulation
// uses (|x| ≤ 1e5 for sin and cos), and about 1e-13 for pow (the error of log(x) is multiplied
// by y·log x); Tests/CitySimTests/DeterministicMathTests.swift compares them with Foundation.

public enum DeterministicMath {
    // ln 2 split so that k · ln2High is exact for |k| < 2^11 (Cody and Waite's reduction).
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10
    private static let ln2 = 0.693147180559945309417232121458
    private static let inverseLn2 = 1.44269504088896338700e+00

    /// e^x.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893383973096 { return .infinity }
        if x < -745.133219101941108420 { return 0 }
        if x == 0 { return 1 }
        // x = k·ln 2 + r with |r| ≤ ln 2 / 2.
        // Rounded to the nearest integer (ties to even) by adding and taking away 1.5 × 2^52,
        // which the hardware's rounding does in two basic operations, with no call to libm.
        let k = (x * inverseLn2 + 0x1.8p52) - 0x1.8p52
        let r = (x - k * ln2High) - k * ln2Low
        // Taylor series of e^r to r^13/13! (the remainder is below 6e-18 relative for
        // |r| ≤ 0.347), with the coefficients 1/n! written out, evaluated by Estrin's scheme: pairs
        // of terms, then pairs of pairs, so that the multiplications do not wait on one another
        // as in Horner's rule (the logit draws call exp thousands of times a tick).
        let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
        let q0 = 1 + r, q1 = 0.5 + 0.16666666666666666 * r
        let q2 = 0.041666666666666664 + 0.008333333333333333 * r, q3 = 0.001388888888888889 + 0.0001984126984126984 * r
        let q4 = 2.48015873015873e-05 + 2.7557319223985893e-06 * r, q5 = 2.755731922398589e-07 + 2.505210838544172e-08 * r
        let q6 = 2.08767569878681e-09 + 1.6059043836821613e-10 * r
        let s0 = q0 + q1 * r2, s1 = q2 + q3 * r2, s2 = q4 + q5 * r2
        let sum = (s0 + s1 * r4) + (s2 + q6 * r4) * r8
        return scaleByPowerOfTwo(sum, Int(k))
    }

    /// The natural logarithm.
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        // x = m · 2^e with m in [√½, √2).
        var e = Int(x.exponent)
        var m = x.significand  // [1, 2), also for subnormals
        if m > 1.41421356237309504880 {
            m = m / 2
            e += 1
        }
        // ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.1716: series to s^25.
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var series = 0.0
        var n = 25.0
        while n >= 3 {
            series = (series + 1 / n) * s2
            n -= 2
        }
        let lnM = 2 * s + 2 * s * series
        let exponent = Double(e)
        return exponent * ln2High + (exponent * ln2Low + lnM)
    }

    /// ln(1 + x), accurate for small x.
    public static func log1p(_ x: Double) -> Double {
        if x.isNaN || x < -1 { return .nan }
        if x == -1 { return -.infinity }
        if x.isInfinite { return x }
        let u = 1 + x
        if u == 1 { return x }
        // Goldberg's correction: log(u) · x / (u − 1) cancels the rounding of 1 + x.
        return log(u) * (x / (u - 1))
    }

    /// x^y for the cases the simulation needs: x ≥ 0 with any finite y, and x < 0 with an
    /// integral y. NaN for a negative x with a fractional y, as C's pow.
    public static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 { return 1 }
        if x.isNaN || y.isNaN { return .nan }
        if x == 1 { return 1 }
        if x == 0 { return y > 0 ? 0 : .infinity }
        let yIsInteger = y.rounded(.towardZero) == y
        if x < 0 {
            guard yIsInteger else { return .nan }
            let magnitude = pow(-x, y)
            let odd = y.magnitude < 0x1p53 && Int64(y) & 1 == 1
            return odd ? -magnitude : magnitude
        }
        if yIsInteger, y.magnitude <= 64 {
            // Repeated squaring: exact for small powers of exact bases, as libm.
            var result = 1.0
            var base = x
            var n = Int(y.magnitude)
            while n > 0 {
                if n & 1 == 1 { result = result * base }
                base = base * base
                n >>= 1
            }
            return y > 0 ? result : 1 / result
        }
        return exp(y * log(x))
    }

    // π/2 in three parts (the first two with 33 significant bits, so k · part is exact for |k| < 2^20).
    private static let halfPi1 = 1.57079632673412561417e+00
    private static let halfPi2 = 6.07710050630396597660e-11
    private static let halfPi3 = 2.02226624879595063154e-21
    private static let twoOverPi = 6.36619772367581382433e-01

    /// sin x (|x| ≤ 1e5 for full accuracy).
    public static func sin(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let (quadrant, r) = reduce(x)
        switch quadrant {
        case 0: return sinKernel(r)
        case 1: return cosKernel(r)
        case 2: return -sinKernel(r)
        default: return -cosKernel(r)
        }
    }

    /// cos x (|x| ≤ 1e5 for full accuracy).
    public static func cos(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let (quadrant, r) = reduce(x)
        switch quadrant {
        case 0: return cosKernel(r)
        case 1: return -sinKernel(r)
        case 2: return -cosKernel(r)
        default: return sinKernel(r)
        }
    }

    /// x = k·π/2 + r, |r| ≤ π/4; the quadrant is k mod 4.
    private static func reduce(_ x: Double) -> (Int, Double) {
        if x.magnitude <= 0.785398163397448309616 { return (0, x) }
        let k = (x * twoOverPi).rounded(.toNearestOrEven)
        let r = ((x - k * halfPi1) - k * halfPi2) - k * halfPi3
        let quadrant = Int(k.truncatingRemainder(dividingBy: 4))
        return ((quadrant + 4) % 4, r)
    }

    /// Taylor series to r^21/21! (remainder below 1e-22 for |r| ≤ π/4).
    private static func sinKernel(_ r: Double) -> Double {
        let r2 = r * r
        var sum = 0.0
        var n = 21.0
        while n >= 3 {
            sum = (sum + 1) * (-r2 / (n * (n - 1)))
            n -= 2
        }
        return r + r * sum
    }

    /// Taylor series to r^22/22!.
    private static func cosKernel(_ r: Double) -> Double {
        let r2 = r * r
        var sum = 0.0
        var n = 22.0
        while n >= 2 {
            sum = (sum + 1) * (-r2 / (n * (n - 1)))
            n -= 2
        }
        return 1 + sum
    }

    /// x · 2^k for x near 1 and k in exp's range, with a single rounding where 2^k is representable.
    private static func scaleByPowerOfTwo(_ x: Double, _ k: Int) -> Double {
        if k > 1023 { return x * 0x1p1023 * Double(sign: .plus, exponent: k - 1023, significand: 1) }
        if k < -1074 { return x * 0x1p-1000 * Double(sign: .plus, exponent: k + 1000, significand: 1) }
        if k < -1022 { return x * Double(sign: .plus, exponent: k, significand: 1) }
        // 2^k for a normal k, written as its bits: the biased exponent and a zero fraction.
        return x * Double(bitPattern: UInt64(k + 1023) << 52)
    }
}
