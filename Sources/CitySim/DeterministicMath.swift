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

    // ln 2 / 64 split so that k · ln2Over64High is exact for |k| < 2^17 (every k exp meets).
    private static let ln2Over64High = 0x1.62e42fefa0000p-7
    private static let ln2Over64Low = 0x1.cf79abc9e3b3ap-46
    private static let sixtyFourOverLn2 = 0x1.71547652b82fep+6
    /// 2^(j/64) for j = 0…63, each the double nearest the true value.
    private static let twoToTheJOver64: [Double] = [
        0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
        0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
        0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
        0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
        0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
        0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
        0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
        0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
        0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
        0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
        0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
        0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
        0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
        0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
        0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
        0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0,
    ]

    /// e^x.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893383973096 { return .infinity }
        if x < -745.133219101941108420 { return 0 }
        if x == 0 { return 1 }
        // x = (64m + j) · ln 2 / 64 + r with |r| ≤ ln 2 / 128, so e^x = 2^m · 2^(j/64) · e^r.
        // k is rounded to the nearest integer (ties to even) by adding and taking away 1.5 × 2^52,
        // which the hardware's rounding does in two basic operations, with no call to libm.
        // The table leaves so small an r that six terms of e^r's series suffice, where a
        // reduction by ln 2 alone needed thirteen (the logit draws call exp thousands of times a tick).
        let k = (x * sixtyFourOverLn2 + 0x1.8p52) - 0x1.8p52
        let r = (x - k * ln2Over64High) - k * ln2Over64Low
        let n = Int(k)
        // e^r − 1 to r^6/6! (the remainder is below 3e-20 relative for |r| ≤ 0.0055), by Estrin's
        // scheme: pairs of terms, so that the multiplications do not wait on one another.
        let r2 = r * r, r4 = r2 * r2
        let low = r + r2 * (0.5 + 0.16666666666666666 * r)
        let high = (0.041666666666666664 + 0.008333333333333333 * r) + 0.001388888888888889 * r2
        let expR = low + r4 * high
        let t = twoToTheJOver64[n & 63]
        return scaleByPowerOfTwo(t + t * expR, n >> 6)
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
