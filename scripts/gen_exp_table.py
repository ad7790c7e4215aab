#!/usr/bin/env python3
"""Print the constants of cxattn::portable::exp (include/cxattn/math.hpp) as C++ source.

Standard library only (decimal, fractions), so it runs anywhere without network or MPFR.
Every value is computed with 100 significant decimal digits, then rounded once to the format:
  - 2^(j/N), j = 0..N-1, as hi + lo: hi = RN(2^(j/N)), lo = RN(2^(j/N) - hi);
  - N/ln2 rounded; ln2/N split as hi (few bits, so k*hi is exact) + lo;
  - the overflow and underflow thresholds of exp for binary32, binary64 and x87 extended.
Usage: python3 scripts/gen_exp_table.py > /tmp/tables.txt, then paste between the markers in math.hpp.
"""
from decimal import Decimal, getcontext
from fractions import Fraction
import math

getcontext().prec = 100
N = 128
LN2 = Fraction(Decimal(2).ln())


def exponent(v):
    """e with 2^e <= |v| < 2^(e+1), v a nonzero Fraction."""
    v = abs(v)
    e = v.numerator.bit_length() - v.denominator.bit_length()
    if Fraction(2) ** e > v:
        e -= 1
    return e


def round_bits(v, p, mode="nearest"):
    """v rounded to p significant bits (no exponent limit): nearest-even, down or up."""
    if v == 0:
        return Fraction(0)
    e = exponent(v)
    scaled = v / Fraction(2) ** (e - p + 1)  # in [2^(p-1), 2^p)
    if mode == "down":
        m = math.floor(scaled)
    elif mode == "up":
        m = math.ceil(scaled)
    else:
        m = round(scaled)  # Fraction.__round__ rounds half to even
    return m * Fraction(2) ** (e - p + 1)


def hexfloat(v, p, suffix=""):
    """Exact C++ hexadecimal literal of v, which has at most p significant bits."""
    if v == 0:
        return "0x0p+0" + suffix
    sign = "-" if v < 0 else ""
    v = abs(v)
    e = exponent(v)
    digits = (p - 1 + 3) // 4 * 4  # fraction bits written, a multiple of 4
    m = v / Fraction(2) ** e * 2 ** digits
    assert m.denominator == 1, "value has more than p bits"
    m = m.numerator
    lead, frac = m >> digits, m & ((1 << digits) - 1)
    frac_hex = f"{frac:0{digits // 4}x}".rstrip("0") or "0"
    return f"{sign}0x{lead}.{frac_hex}p{e:+d}{suffix}"


def exp2_frac(j):
    return Fraction((Decimal(j) / N * Decimal(2).ln()).exp())


FORMATS = {  # name: (precision, largest exponent, smallest normal exponent, literal suffix)
    "binary32": (24, 127, -126, "f"),
    "binary64": (53, 1023, -1022, ""),
    "x87": (64, 16383, -16382, "L"),
}


def thresholds(p, emax, emin):
    """(overflow, underflow): exp(x) rounds to +inf iff x > overflow, to +0 iff x < underflow."""
    # RN(exp(x)) is finite iff exp(x) < (2 - 2^-p) 2^emax, the midpoint above the largest finite value.
    over = round_bits(Fraction((Decimal(2) - Decimal(2) ** -p).ln() + emax * Decimal(2).ln()), p, "down")
    # RN(exp(x)) is nonzero iff exp(x) > 2^(emin - p), half the smallest subnormal (never a tie).
    under = round_bits(Fraction((emin - p) * Decimal(2).ln()), p, "down")
    under_is = Fraction(Decimal(2).ln()) * (emin - p)
    # Smallest x of the format above ln(2^(emin-p)): round toward +inf of a negative value.
    under = -round_bits(-under_is, p, "down")
    return over, under


def main():
    for name, (p, emax, emin, suffix) in FORMATS.items():
        over, under = thresholds(p, emax, emin)
        print(f"// {name}: overflow above {hexfloat(over, p, suffix)}, zero below {hexfloat(under, p, suffix)}")
    for name, p, kbits, suffix in (("binary64", 53, 18, ""), ("x87", 64, 22, "L")):
        # |k| = |round(x N / ln2)| < 2^kbits over the finite domain, so ln2/N keeps p - kbits bits.
        inv = round_bits(N / LN2, p)
        hi = round_bits(LN2 / N, p - kbits)
        lo = round_bits(LN2 / N - hi, p)
        print(f"// {name}: N/ln2 = {hexfloat(inv, p, suffix)}, ln2/N = {hexfloat(hi, p, suffix)} + {hexfloat(lo, p, suffix)}")
    for name, p, suffix in (("binary64", 53, ""), ("x87", 64, "L")):
        print(f"// {name} table: 2^(j/{N}) = hi + lo")
        for j in range(N):
            v = exp2_frac(j)
            hi = round_bits(v, p)
            lo = round_bits(v - hi, p)
            print(f"    {{{hexfloat(hi, p, suffix)}, {hexfloat(lo, p, suffix)}}},")


if __name__ == "__main__":
    main()
