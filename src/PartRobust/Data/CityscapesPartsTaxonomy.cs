namespace PartRobust.Data;

/// <summary>
/// The paper's Cityscapes-Panoptic-Parts task: 2 classes (human, vehicle) and 9 parts, 10 segmentation labels. Human =
/// Cityscapes person (sid 24) and rider (25) with parts torso, head, arms, legs (pids 1–4); vehicle = car (26), truck (27)
/// and bus (28) with parts window, wheel, light, license plate, chassis (pids 1–5). The label numbering is the authors'
/// loader's (<c>part_model/dataloader/cityscapes.py</c>, <c>_LABEL_ASSIGN</c>).
/// </summary>
public static class CityscapesPartsTaxonomy
{
    /// <summary>Class names in the (sorted) class order: human = 0, vehicle = 1.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["human", "vehicle"];

    /// <summary>Cityscapes semantic ids of each class.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> ClassSids { get; } = [[24, 25], [26, 27, 28]];

    /// <summary>The taxonomy: 2 classes, 10 segmentation labels (0 background, 1–4 human parts, 5–9 vehicle parts).</summary>
    public static PartTaxonomy All { get; } = new(
        ClassNames,
        ["background", "human torso", "human head", "human arms", "human legs",
         "vehicle window", "vehicle wheel", "vehicle light", "vehicle license plate", "vehicle chassis"],
        [-1, 0, 0, 0, 0, 1, 1, 1, 1, 1]);

    /// <summary>The class of a Cityscapes semantic id: 0 human, 1 vehicle, −1 anything else.</summary>
    public static int ClassOfSid(int sid) => sid switch { 24 or 25 => 0, 26 or 27 or 28 => 1, _ => -1 };

    /// <summary>
    /// The segmentation label of a pixel with semantic id <paramref name="sid"/> and part id <paramref name="pid"/>
    /// (−1 = no part level): human pids 1–4 → 1–4, vehicle pids 1–5 → 5–9, everything else (void part 0, the human
    /// pid-5 artefact, pixels without a part id, other classes) → 0.
    /// </summary>
    public static byte SegLabel(int sid, int pid) => sid switch
    {
        24 or 25 when pid is >= 1 and <= 4 => (byte)pid,
        26 or 27 or 28 when pid is >= 1 and <= 5 => (byte)(4 + pid),
        _ => 0,
    };
}
