using System.Text.Json.Serialization;

namespace PartRobust.Training;

/// <summary>The adversarial stage's recipe, as config files, reports and <c>--adv-train</c> name it.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<AdversarialRecipe>))]
public enum AdversarialRecipe
{
    /// <summary>PGD adversarial training: the update uses the adversarial images only (<c>pgd</c>; the default).</summary>
    Pgd,
    /// <summary>TRADES: <see cref="TradesLoss"/> on [x; x′], the attack maximising the KL (<c>trades</c>).</summary>
    Trades,
}
