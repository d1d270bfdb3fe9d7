namespace PartRobust.Data;

/// <summary>A filled primitive in an object's local frame (x right, y down, the object spans roughly [-1,1]²).</summary>
internal abstract class PartShapesPrimitive
{
    /// <summary>Local bounding box.</summary>
    public abstract (double MinX, double MinY, double MaxX, double MaxY) Bounds { get; }

    /// <summary>Whether local point (x, y) is inside.</summary>
    public abstract bool Contains(double x, double y);
}

/// <summary>A rotated ellipse; with an inner ratio it is a ring (used for bicycle tyres).</summary>
internal sealed class EllipsePrimitive(double cx, double cy, double rx, double ry, double angle = 0, double innerRatio = 0) : PartShapesPrimitive
{
    readonly double _cos = Math.Cos(angle), _sin = Math.Sin(angle);

    public override (double, double, double, double) Bounds
    {
        get { double r = Math.Max(rx, ry); return (cx - r, cy - r, cx + r, cy + r); }
    }

    public override bool Contains(double x, double y)
    {
        double dx = x - cx, dy = y - cy;
        double u = (dx * _cos + dy * _sin) / rx, v = (-dx * _sin + dy * _cos) / ry;
        double d = u * u + v * v;
        return d <= 1 && d >= innerRatio * innerRatio;
    }
}

/// <summary>A tapered capsule (thick stroke) from A with radius r0 to B with radius r1.</summary>
internal sealed class CapsulePrimitive(double ax, double ay, double bx, double by, double r0, double r1) : PartShapesPrimitive
{
    readonly double _dx = bx - ax, _dy = by - ay, _len2 = Math.Max((bx - ax) * (bx - ax) + (by - ay) * (by - ay), 1e-12);

    public override (double, double, double, double) Bounds
    {
        get { double r = Math.Max(r0, r1); return (Math.Min(ax, bx) - r, Math.Min(ay, by) - r, Math.Max(ax, bx) + r, Math.Max(ay, by) + r); }
    }

    public override bool Contains(double x, double y)
    {
        double t = Math.Clamp(((x - ax) * _dx + (y - ay) * _dy) / _len2, 0, 1);
        double ex = x - (ax + t * _dx), ey = y - (ay + t * _dy), r = r0 + t * (r1 - r0);
        return ex * ex + ey * ey <= r * r;
    }
}

/// <summary>A simple polygon (even–odd rule).</summary>
internal sealed class PolygonPrimitive : PartShapesPrimitive
{
    readonly double[] _x, _y;

    public PolygonPrimitive(params (double X, double Y)[] points)
    {
        _x = points.Select(p => p.X).ToArray();
        _y = points.Select(p => p.Y).ToArray();
    }

    public override (double, double, double, double) Bounds => (_x.Min(), _y.Min(), _x.Max(), _y.Max());

    public override bool Contains(double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = _x.Length - 1; i < _x.Length; j = i++)
            if ((_y[i] > y) != (_y[j] > y) && x < (_x[j] - _x[i]) * (y - _y[i]) / (_y[j] - _y[i]) + _x[i])
                inside = !inside;
        return inside;
    }
}

/// <summary>Local → pixel similarity transform with mirror and mild anisotropy: p = T + R(θ)·diag(m·sx, sy)·x.</summary>
internal readonly struct PartShapesPose(double tx, double ty, double sx, double sy, double angle, bool mirror)
{
    readonly double _cos = Math.Cos(angle), _sin = Math.Sin(angle), _sx = mirror ? -sx : sx;

    public (double X, double Y) ToPixel(double x, double y)
    {
        double lx = x * _sx, ly = y * sy;
        return (tx + lx * _cos - ly * _sin, ty + lx * _sin + ly * _cos);
    }

    public (double X, double Y) ToLocal(double px, double py)
    {
        double dx = px - tx, dy = py - ty;
        return ((dx * _cos + dy * _sin) / _sx, (-dx * _sin + dy * _cos) / sy);
    }
}

/// <summary>The RGB float image and byte label mask being rendered, with painter's-order fills.</summary>
internal sealed class PartShapesCanvas(int size)
{
    public readonly int Size = size;
    public readonly float[] Rgb = new float[3 * size * size]; // planar C,H,W
    public readonly byte[] Mask = new byte[size * size];

    public void FillAll(PartShapesPaintField paint)
    {
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) Set(x, y, paint, 0);
    }

    /// <summary>Paints every pixel whose centre lies inside <paramref name="shape"/> and labels it (0 = unlabelled).</summary>
    public void Fill(PartShapesPrimitive shape, in PartShapesPose pose, PartShapesPaintField paint, byte label)
    {
        var (x0, y0, x1, y1) = shape.Bounds;
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (lx, ly) in new[] { (x0, y0), (x1, y0), (x0, y1), (x1, y1) })
        {
            var (px, py) = pose.ToPixel(lx, ly);
            minX = Math.Min(minX, px); maxX = Math.Max(maxX, px); minY = Math.Min(minY, py); maxY = Math.Max(maxY, py);
        }
        int ix0 = Math.Max(0, (int)Math.Floor(minX)), ix1 = Math.Min(Size - 1, (int)Math.Ceiling(maxX));
        int iy0 = Math.Max(0, (int)Math.Floor(minY)), iy1 = Math.Min(Size - 1, (int)Math.Ceiling(maxY));
        for (int y = iy0; y <= iy1; y++)
            for (int x = ix0; x <= ix1; x++)
            {
                var (lx, ly) = pose.ToLocal(x + 0.5, y + 0.5);
                if (shape.Contains(lx, ly)) Set(x, y, paint, label);
            }
    }

    void Set(int x, int y, PartShapesPaintField paint, byte label)
    {
        paint.ColorAt(x, y, out float r, out float g, out float b);
        int i = y * Size + x, plane = Size * Size;
        Rgb[i] = r; Rgb[plane + i] = g; Rgb[2 * plane + i] = b;
        Mask[i] = label;
    }

    /// <summary>3×3 binomial blur of the image only (edge pixels replicate).</summary>
    public void Blur()
    {
        int n = Size, plane = n * n;
        var src = (float[])Rgb.Clone();
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    float acc = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xx = Math.Clamp(x + dx, 0, n - 1), yy = Math.Clamp(y + dy, 0, n - 1);
                            acc += src[c * plane + yy * n + xx] * (2 - Math.Abs(dx)) * (2 - Math.Abs(dy));
                        }
                    Rgb[c * plane + y * n + x] = acc / 16f;
                }
    }
}
