namespace PartRobust.Data.Prepare;

/// <summary>
/// The panoptic-parts "uid" of a label pixel (pmeletis/panoptic_parts <c>label_format.md</c>, <c>utils/format.py::decode_uids</c>):
/// 1–2 digits = semantic id only; 4–5 digits = sid·1000 + instance id; 6–7 digits = sid·100000 + iid·100 + part id.
/// Missing levels decode to −1; an explicit part id 00 of a 6–7 digit uid stays 0 (void part).
/// </summary>
public static class PanopticPartsUid
{
    /// <summary>Largest valid uid (7 digits).</summary>
    public const int Max = 9_999_999;

    /// <summary>As decode_uids' validation: 0 ≤ uid ≤ 9,999,999 and not 3 digits long.</summary>
    public static bool IsValid(int uid) => uid is >= 0 and <= Max and not (>= 100 and <= 999);

    /// <summary>The semantic, instance and part id of a valid uid (−1 where the uid has no such level).</summary>
    public static (int Sid, int Iid, int Pid) Decode(int uid) => uid switch
    {
        <= 99 => (uid, -1, -1),
        <= 99_999 => (uid / 1000, uid % 1000, -1),
        _ => (uid / 100_000, uid / 100 % 1000, uid % 100),
    };

    /// <summary>The semantic id of a valid uid.</summary>
    public static int Sid(int uid) => uid <= 99 ? uid : uid <= 99_999 ? uid / 1000 : uid / 100_000;
}
