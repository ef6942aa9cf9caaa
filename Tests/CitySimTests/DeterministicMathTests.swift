// DeterministicMathTests — the simulation's own exp, log, log1p, pow, sin and cos agree with the
// platform's libm (Foundation) to within 1e-12 relative (exp, on which the commute's draws rest, to
// within 1e-15) over the ranges the model uses, and
// keep C's special cases.
import CitySim
import Foundation
import Testing

@Suite("Deterministic math")
struct DeterministicMathTests {
    /// A fixed spread of arguments: a seeded generator, so every run checks the same points.
    private func samples(_ count: Int, from low: Double, to high: Double) -> [Double] {
        var random = SeededRandom(seed: 20_261_203)
        return (0..<count).map { _ in low + (high - low) * random.unit() }
    }

    private func relativeError(_ mine: Double, _ reference: Double) -> Double {
        if mine == reference { return 0 }
        return (mine - reference).magnitude / max(reference.magnitude, Double.leastNormalMagnitude)
    }

    @Test func expMatchesLibm() {
        var worst = 0.0
        for x in samples(20_000, from: -740, to: 709) + [-1e-300, 1e-18, 0.5, -0.5, 1, -1, 20, -20] {
            worst = max(worst, relativeError(DeterministicMath.exp(x), Foundation.exp(x)))
        }
        #expect(worst < 1e-15, "worst relative error \(worst)")
        #expect(DeterministicMath.exp(0) == 1)
        #expect(DeterministicMath.exp(710) == .infinity)
        #expect(DeterministicMath.exp(-800) == 0)
        #expect(DeterministicMath.exp(.nan).isNaN)
    }

    @Test func logAndLog1pMatchLibm() {
        var worst = 0.0
        for x in samples(20_000, from: 1e-6, to: 1e6) + samples(2_000, from: 0.5, to: 2) + [1e-300, 5e-324, 1e300, 19, 2, 0.5] {
            worst = max(worst, relativeError(DeterministicMath.log(x), Foundation.log(x)))
        }
        #expect(worst < 1e-12, "log: worst relative error \(worst)")
        var worst1p = 0.0
        for x in samples(20_000, from: -0.999, to: 1e4) + [1e-20, -1e-20, 1e-9, 3e-7, 700] {
            worst1p = max(worst1p, relativeError(DeterministicMath.log1p(x), Foundation.log1p(x)))
        }
        #expect(worst1p < 1e-12, "log1p: worst relative error \(worst1p)")
        #expect(DeterministicMath.log(1) == 0)
        #expect(DeterministicMath.log(0) == -.infinity)
        #expect(DeterministicMath.log(-1).isNaN)
        #expect(DeterministicMath.log1p(-1) == -.infinity)
        #expect(DeterministicMath.log1p(-2).isNaN)
    }

    @Test func powMatchesLibm() {
        var worst = 0.0
        let bases = samples(2_000, from: 0, to: 3)
        let exponents = samples(2_000, from: -8, to: 8)
        for (x, y) in zip(bases, exponents) {
            worst = max(worst, relativeError(DeterministicMath.pow(x, y), Foundation.pow(x, y)))
        }
        for x in bases { worst = max(worst, relativeError(DeterministicMath.pow(x, 3.4), Foundation.pow(x, 3.4))) }
        for x in bases { worst = max(worst, relativeError(DeterministicMath.pow(x, 4), Foundation.pow(x, 4))) }
        #expect(worst < 1e-12, "worst relative error \(worst)")
        #expect(DeterministicMath.pow(2, 10) == 1024)
        #expect(DeterministicMath.pow(-2, 3) == -8)
        #expect(DeterministicMath.pow(-2, 0.5).isNaN)
        #expect(DeterministicMath.pow(0, 2) == 0)
        #expect(DeterministicMath.pow(0, -1) == .infinity)
        #expect(DeterministicMath.pow(5, 0) == 1)
    }

    @Test func sinAndCosMatchLibm() {
        var worst = 0.0
        for x in samples(20_000, from: -100, to: 100) + samples(2_000, from: -1e5, to: 1e5) + [0, 1e-300, Double.pi, Double.pi / 2] {
            // Near a zero of the function, relative error is meaningless: compare to the scale of x's rounding.
            let floor = 1e-15 * max(1, x.magnitude)
            for (mine, reference) in [(DeterministicMath.sin(x), Foundation.sin(x)), (DeterministicMath.cos(x), Foundation.cos(x))] {
                let error = (mine - reference).magnitude / max(reference.magnitude, floor)
                worst = max(worst, error)
            }
        }
        #expect(worst < 1e-12, "worst relative error \(worst)")
        #expect(DeterministicMath.cos(0) == 1)
        #expect(DeterministicMath.sin(0) == 0)
        #expect(DeterministicMath.cos(.infinity).isNaN)
    }
}
