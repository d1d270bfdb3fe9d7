using PartRobust.Data;
using Xunit;

namespace PartRobust.Tests.Data;

public class PartImageNetTaxonomyTests
{
    [Fact]
    public void Full_taxonomy_matches_the_part_index_table()
    {
        var t = PartImageNetTaxonomy.All;
        Assert.Equal(11, t.NumClasses);
        Assert.Equal(41, t.NumSegLabels);
        Assert.Equal("background", t.PartNames[0]);
        Assert.Equal(-1, t.PartClass[0]);
        // Spot checks against partimagenet_part_index_table.tsv (seg_label → name, class_label).
        Assert.Equal("Aeroplane Head", t.PartNames[1]);
        Assert.Equal("Bicycle Tier", t.PartNames[9]);
        Assert.Equal("Biped Tail", t.PartNames[14]);
        Assert.Equal("Bottle Mouth", t.PartNames[22]);
        Assert.Equal("Car Side Mirror", t.PartNames[26]);
        Assert.Equal("Quadruped Head", t.PartNames[31]);
        Assert.Equal("Snake Body", t.PartNames[40]);
        Assert.Equal(8, t.PartClass[31]);
        Assert.Equal(10, t.PartClass[40]);
        int[] perClass = [5, 4, 5, 5, 2, 2, 3, 4, 4, 4, 2];
        for (int c = 0; c < 11; c++) Assert.Equal(perClass[c], t.PartClass.Count(pc => pc == c));
        for (int k = 1; k < 41; k++) Assert.StartsWith(t.ClassNames[t.PartClass[k]] + " ", t.PartNames[k]);
    }

    [Fact]
    public void Select_keeps_class_order_and_renumbers_parts()
    {
        var t = PartImageNetTaxonomy.Select(["Snake", "Bicycle"]);
        Assert.Equal(["Bicycle", "Snake"], t.ClassNames);
        Assert.Equal(["background", "Bicycle Body", "Bicycle Head", "Bicycle Seat", "Bicycle Tier", "Snake Head", "Snake Body"], t.PartNames);
        Assert.Equal([-1, 0, 0, 0, 0, 1, 1], t.PartClass);
    }

    [Fact]
    public void Select_unknown_class_names_it_and_lists_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => PartImageNetTaxonomy.Select(["Car", "Dog"]));
        Assert.Contains("'Dog'", e.Message);
        Assert.Contains("Aeroplane", e.Message);
        Assert.Contains("Snake", e.Message);
        Assert.Throws<ArgumentException>(() => PartImageNetTaxonomy.Select(["Car", "Car"]));
        Assert.Throws<ArgumentException>(() => PartImageNetTaxonomy.Select([]));
    }
}
