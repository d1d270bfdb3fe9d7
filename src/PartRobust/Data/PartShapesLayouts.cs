namespace PartRobust.Data;

/// <summary>
/// Class-specific part layouts in a local frame (x right = facing direction, y down, roughly [-1,1]²), with random
/// proportions and articulation. Each primitive is tagged with its part's index within the class (TSV order); the list
/// order is the painter's order. Classes differ by the arrangement of parts, not by colour or texture.
/// </summary>
internal static class PartShapesLayouts
{
    /// <summary>Primitives in painter's order, each with a local part index (0-based within the class).</summary>
    /// <param name="fullClass">PartImageNet class index.</param>
    /// <param name="rng">Source of the layout's random proportions.</param>
    /// <param name="minRadius">Smallest half-width of a capsule, ellipse or ring in local units (0 = as drawn), so that no part is thinner than the generator's minimum width.</param>
    internal sealed class Builder(int fullClass, PartShapesRandom rng, double minRadius = 0)
    {
        public readonly List<(PartShapesPrimitive Shape, int Part)> Items = [];
        public readonly PartShapesRandom Rng = rng;
        readonly IReadOnlyList<string> _parts = PartImageNetTaxonomy.PartsOf(PartImageNetTaxonomy.ClassNames[fullClass]);

        int P(string suffix)
        {
            for (int i = 0; i < _parts.Count; i++) if (_parts[i] == suffix) return i;
            throw new InvalidOperationException($"No part '{suffix}'");
        }

        public double U(double lo, double hi) => Rng.Uniform(lo, hi);

        public void Ellipse(string part, double cx, double cy, double rx, double ry, double angle = 0, double inner = 0)
        {
            rx = Math.Max(rx, minRadius);
            ry = Math.Max(ry, minRadius);
            // A ring keeps a band at least 2·minRadius thick.
            if (inner > 0 && minRadius > 0) inner = Math.Max(0, Math.Min(inner, 1 - 2 * minRadius / Math.Min(rx, ry)));
            Items.Add((new EllipsePrimitive(cx, cy, rx, ry, angle, inner), P(part)));
        }

        public void Capsule(string part, double ax, double ay, double bx, double by, double r0, double r1) =>
            Items.Add((new CapsulePrimitive(ax, ay, bx, by, Math.Max(r0, minRadius), Math.Max(r1, minRadius)), P(part)));

        /// <summary>A limb from (ax, ay) in direction <paramref name="angle"/> (0 = +x, π/2 = down); returns its end.</summary>
        public (double X, double Y) Limb(string part, double ax, double ay, double angle, double length, double r0, double r1)
        {
            double bx = ax + length * Math.Cos(angle), by = ay + length * Math.Sin(angle);
            Capsule(part, ax, ay, bx, by, r0, r1);
            return (bx, by);
        }

        public void Poly(string part, params (double, double)[] pts) => Items.Add((new PolygonPrimitive(pts), P(part)));

        /// <summary>A spine of the minimum width along a thin polygon, so it is never thinner than that (nothing when there is no minimum).</summary>
        public void Spine(string part, double ax, double ay, double bx, double by)
        {
            if (minRadius > 0) Capsule(part, ax, ay, bx, by, minRadius, minRadius);
        }
    }

    const double Down = Math.PI / 2;

    public static void Draw(int fullClass, Builder b)
    {
        switch (PartImageNetTaxonomy.ClassNames[fullClass])
        {
            case "Aeroplane": Aeroplane(b); break;
            case "Bicycle": Bicycle(b); break;
            case "Biped": Biped(b); break;
            case "Bird": Bird(b); break;
            case "Boat": Boat(b); break;
            case "Bottle": Bottle(b); break;
            case "Car": Car(b); break;
            case "Fish": Fish(b); break;
            case "Quadruped": Quadruped(b); break;
            case "Reptile": Reptile(b); break;
            case "Snake": Snake(b); break;
            default: throw new InvalidOperationException($"No layout for class {fullClass}");
        }
    }

    // Top view: long fuselage, swept wings with engines, small tailplane, pointed nose.
    static void Aeroplane(Builder b)
    {
        double bodyR = b.U(0.11, 0.15), sweep = b.U(0.1, 0.45), span = b.U(0.75, 0.95), root = b.U(0.1, 0.3);
        foreach (double s in new[] { -1.0, 1.0 })
        {
            b.Poly("Wing", (root + 0.2, s * bodyR * 0.5), (root - 0.2, s * bodyR * 0.5), (root - 0.2 - sweep - 0.08, s * span), (root - sweep + 0.04, s * span));
            b.Poly("Tail", (-0.6, s * bodyR * 0.5), (-0.8, s * bodyR * 0.5), (-0.95, s * 0.38), (-0.82, s * 0.38));
            b.Spine("Tail", -0.7, s * bodyR * 0.5, -0.885, s * 0.36);
        }
        b.Ellipse("Body", -0.05, 0, 0.75, bodyR);
        b.Poly("Head", (0.6, -bodyR * 0.95), (0.6, bodyR * 0.95), (0.98, 0));
        double ex = root - sweep * 0.45 - 0.05, ey = span * 0.45;
        foreach (double s in new[] { -1.0, 1.0 }) b.Ellipse("Engine", ex + 0.05, s * ey, 0.17, 0.075);
    }

    // Side view: two ring wheels, a thick-stroke diamond frame, a seat and a handlebar.
    static void Bicycle(Builder b)
    {
        double wr = b.U(0.32, 0.38), hub = 0.3, rx = -b.U(0.5, 0.6), fx = b.U(0.5, 0.6), w = 0.07;
        double seatX = -0.15 + b.U(-0.05, 0.05), seatY = -0.25 - b.U(0, 0.15), headX = fx - 0.15, headY = -0.25, px = 0.0;
        b.Ellipse("Tier", rx, hub, wr, wr, 0, 0.68);
        b.Ellipse("Tier", fx, hub, wr, wr, 0, 0.68);
        b.Capsule("Body", rx, hub, px, hub, w, w);
        b.Capsule("Body", rx, hub, seatX, seatY, w, w);
        b.Capsule("Body", px, hub, seatX, seatY, w, w);
        b.Capsule("Body", seatX, seatY + 0.05, headX, headY, w, w);
        b.Capsule("Body", px, hub, headX, headY, w, w);
        b.Capsule("Body", headX, headY, fx, hub, w, w);
        b.Ellipse("Seat", seatX - 0.03, seatY - 0.06, 0.17, 0.065, b.U(-0.15, 0.15));
        double a = -Down + b.U(-0.4, 0.2);
        var top = b.Limb("Head", headX, headY, a, 0.22, w, w);
        b.Limb("Head", top.X, top.Y, b.U(-0.3, 0.3), 0.2, w, w);
    }

    // Upright: head over a vertical torso, two legs, two articulated arms, sometimes a tail.
    static void Biped(Builder b)
    {
        double bw = b.U(0.2, 0.28), bh = b.U(0.36, 0.45);
        if (b.Rng.Chance(0.4)) b.Limb("Tail", -0.1, bh * 0.7, Math.PI * b.U(0.55, 0.9), b.U(0.35, 0.5), 0.06, 0.03);
        foreach (double s in new[] { -1.0, 1.0 })
        {
            var knee = b.Limb("Foot", s * bw * 0.5, bh * 0.7, Down - s * b.U(0.05, 0.35), 0.3, 0.1, 0.09);
            b.Limb("Foot", knee.X, knee.Y, Down + b.U(-0.3, 0.3), 0.28, 0.09, 0.08);
        }
        b.Ellipse("Body", 0, 0, bw, bh);
        foreach (double s in new[] { -1.0, 1.0 })
        {
            var elbow = b.Limb("Hand", s * bw * 0.9, -bh * 0.6, Down - s * b.U(0.2, 1.6), 0.3, 0.08, 0.07);
            b.Limb("Hand", elbow.X, elbow.Y, Down - s * b.U(-0.3, 1.2), 0.27, 0.07, 0.07);
        }
        b.Ellipse("Head", b.U(-0.03, 0.05), -bh - 0.18, 0.2, 0.21);
    }

    // Side view: oval body, round head with beak, fanned tail, articulated wing, thin legs.
    static void Bird(Builder b)
    {
        double tilt = b.U(-0.35, 0.1), bl = b.U(0.42, 0.5), bh = b.U(0.22, 0.28);
        double spread = b.U(0.15, 0.35), tailA = Math.PI + b.U(-0.35, 0.25);
        b.Poly("Tail", (-bl * 0.7, -0.05), (-bl * 0.7 + 0.55 * Math.Cos(tailA - spread), 0.55 * Math.Sin(tailA - spread) - 0.05),
            (-bl * 0.7 + 0.55 * Math.Cos(tailA + spread), 0.55 * Math.Sin(tailA + spread) - 0.05));
        foreach (double x in new[] { -0.08, 0.08 }) b.Limb("Foot", x, bh * 0.8, Down + b.U(-0.3, 0.3), b.U(0.3, 0.4), 0.045, 0.04);
        b.Ellipse("Body", 0, 0, bl, bh, tilt);
        double hx = bl * 0.9, hy = -bh - 0.05 + tilt * 0.5;
        b.Poly("Head", (hx + 0.1, hy - 0.05), (hx + 0.1, hy + 0.07), (hx + 0.35, hy + 0.02));
        b.Ellipse("Head", hx, hy, 0.18, 0.17);
        double wa = b.Rng.Chance(0.5) ? b.U(-2.5, -1.2) : Math.PI + b.U(-0.3, 0.1); // raised or folded
        double wl = b.U(0.5, 0.7);
        b.Poly("Wing", (0.18, -0.05), (-0.2, -0.02), (0.05 + wl * Math.Cos(wa) - 0.1, wl * Math.Sin(wa)), (0.05 + wl * Math.Cos(wa) + 0.08, wl * Math.Sin(wa) - 0.05));
    }

    // Side view: trapezoid hull with one or two triangular sails on a mast.
    static void Boat(Builder b)
    {
        double deck = b.U(0.05, 0.2), keel = deck + b.U(0.25, 0.4), bow = b.U(0.85, 1.0), mast = b.U(-0.15, 0.15);
        double top = -b.U(0.75, 0.95), boom = deck - b.U(0.02, 0.12);
        b.Capsule("Sail", mast, deck, mast, top, 0.04, 0.03);
        b.Poly("Sail", (mast + 0.04, top + 0.05), (mast + 0.04, boom), (mast + b.U(0.45, 0.7), boom));
        if (b.Rng.Chance(0.6)) b.Poly("Sail", (mast - 0.04, top + 0.2), (mast - 0.04, boom), (mast - b.U(0.35, 0.6), boom));
        b.Poly("Body", (-0.85, deck), (bow, deck - b.U(0.0, 0.1)), (b.U(0.45, 0.7), keel), (-b.U(0.6, 0.75), keel));
    }

    // Upright: wide rounded body with shoulders, narrow neck and lip.
    static void Bottle(Builder b)
    {
        double w = b.U(0.24, 0.38), bottom = b.U(0.7, 0.85), shoulder = b.U(-0.15, 0.1), neck = b.U(0.08, 0.13), top = -b.U(0.8, 0.95);
        b.Capsule("Body", 0, shoulder + w * 0.6, 0, bottom - w * 0.6, w, w);
        b.Poly("Body", (-w, shoulder + w * 0.6), (w, shoulder + w * 0.6), (neck, shoulder - 0.2), (-neck, shoulder - 0.2));
        b.Poly("Mouth", (-neck, shoulder - 0.18), (neck, shoulder - 0.18), (neck, top + 0.08), (-neck, top + 0.08));
        b.Poly("Mouth", (-neck - 0.04, top + 0.1), (neck + 0.04, top + 0.1), (neck + 0.04, top), (-neck - 0.04, top));
    }

    // Side view: low box with a cabin, two disc tyres, a small side mirror.
    static void Car(Builder b)
    {
        double low = b.U(0.2, 0.3), roof = -b.U(0.3, 0.45), c0 = b.U(-0.6, -0.4), c1 = b.U(0.2, 0.45), tr = b.U(0.18, 0.23);
        b.Poly("Body", (-0.9, -0.05), (0.9, 0.0), (0.92, low), (-0.92, low));
        b.Poly("Body", (c0 - 0.1, -0.03), (c0 + 0.1, roof), (c1, roof), (c1 + 0.25, -0.02));
        foreach (double x in new[] { b.U(-0.65, -0.5), b.U(0.5, 0.65) }) b.Ellipse("Tier", x, low, tr, tr);
        b.Ellipse("Side Mirror", c1 + 0.22, -0.08, 0.1, 0.07, b.U(-0.3, 0.3));
    }

    // Side view: oval body, head at the front, forked articulated tail, dorsal/ventral/pectoral fins.
    static void Fish(Builder b)
    {
        double bl = b.U(0.55, 0.65), bh = b.U(0.22, 0.35), swing = b.U(-0.2, 0.2), fork = b.U(0.25, 0.4);
        b.Poly("Fin", (-0.15, -bh * 0.8), (0.2, -bh * 0.8), (-0.1, -bh - b.U(0.15, 0.3)));
        b.Poly("Fin", (-0.1, bh * 0.8), (0.1, bh * 0.8), (-0.1, bh + b.U(0.1, 0.2)));
        b.Poly("Tail", (-bl + 0.08, 0), (-1.0, swing - fork), (-0.85, swing), (-1.0, swing + fork));
        b.Ellipse("Body", 0, 0, bl, bh);
        b.Ellipse("Head", bl - 0.12, 0, 0.22, bh * 0.8);
        b.Ellipse("Fin", 0.15, bh * 0.3, 0.14, 0.06, b.U(0.2, 0.8));
    }

    // Side view: horizontal body on four articulated legs, head on a neck, a tail.
    static void Quadruped(Builder b)
    {
        double bl = b.U(0.5, 0.65), bh = b.U(0.22, 0.3), legL = b.U(0.5, 0.62);
        void Legs(double dx)
        {
            foreach (double x in new[] { -bl * 0.65 + dx, bl * 0.6 + dx })
            {
                var knee = b.Limb("Foot", x, bh * 0.4, Down + b.U(-0.4, 0.4), legL * 0.5, 0.09, 0.08);
                b.Limb("Foot", knee.X, knee.Y, Down + b.U(-0.3, 0.3), legL * 0.5, 0.08, 0.07);
            }
        }
        Legs(0.08); // far legs, behind the body
        b.Limb("Tail", -bl * 0.9, -bh * 0.3, Math.PI + b.U(-0.9, 0.7), b.U(0.35, 0.55), 0.06, 0.035);
        b.Ellipse("Body", 0, 0, bl, bh, b.U(-0.1, 0.1));
        Legs(-0.05); // near legs
        double hx = bl + b.U(0.1, 0.3), hy = -bh - b.U(0.1, 0.3);
        b.Capsule("Head", bl * 0.75, -bh * 0.3, hx, hy, 0.12, 0.1);
        b.Ellipse("Head", hx + 0.05, hy, 0.22, 0.15, b.U(-0.3, 0.6));
    }

    // Top view: long low body, four splayed bent legs, head in front, long tapering sinuous tail.
    static void Reptile(Builder b)
    {
        double bl = b.U(0.38, 0.45), bw = b.U(0.13, 0.18);
        foreach (double x in new[] { bl * 0.55, -bl * 0.55 })
            foreach (double s in new[] { -1.0, 1.0 })
            {
                double fwd = x > 0 ? 1 : -1;
                var knee = b.Limb("Foot", x, s * bw * 0.6, s * Down - s * fwd * b.U(0.2, 0.7), 0.25, 0.07, 0.06);
                b.Limb("Foot", knee.X, knee.Y, s * Down - s * fwd * b.U(-1.2, -0.5), 0.2, 0.06, 0.05);
            }
        double a = Math.PI + b.U(-0.4, 0.4), tx = -bl * 0.9, ty = 0, r = bw * 0.8;
        for (int i = 0; i < 3; i++)
        {
            var end = b.Limb("Tail", tx, ty, a, 0.2, r, r * 0.6);
            tx = end.X; ty = end.Y; r *= 0.6; a += b.U(-0.6, 0.6);
        }
        b.Ellipse("Body", 0, 0, bl, bw);
        b.Ellipse("Head", bl + 0.12, 0, 0.2, bw * 0.85, b.U(-0.3, 0.3));
    }

    // A thick sinuous stroke with a head at the front.
    static void Snake(Builder b)
    {
        double amp = b.U(0.15, 0.35), k = b.U(3.0, 6.0), phase = b.U(0, 2 * Math.PI), r = b.U(0.09, 0.12);
        const int n = 10;
        double Y(double x) => amp * Math.Sin(k * x + phase);
        for (int i = 0; i < n; i++)
        {
            double x0 = -0.95 + 1.65 * i / n, x1 = -0.95 + 1.65 * (i + 1) / n;
            double ra = r * (i < 3 ? 0.4 + 0.2 * i : 1), rb = r * (i < 2 ? 0.6 + 0.2 * i : 1);
            b.Capsule("Body", x0, Y(x0), x1, Y(x1), ra, rb);
        }
        double hx = 0.78, slope = amp * k * Math.Cos(k * hx + phase);
        b.Ellipse("Head", hx + 0.06, Y(hx) + 0.06 * slope, 0.18, r * 1.35, Math.Atan(slope));
    }
}
