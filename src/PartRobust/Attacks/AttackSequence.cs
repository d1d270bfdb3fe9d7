using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// Several attacks run one after another, each only on the points that every earlier attack failed to break,
/// keeping per point the first adversarial example found (AutoAttack's protocol). <see cref="Name"/> joins the
/// parts with '+', e.g. <c>apgd-ce+apgd-t+square</c>, so a report never calls a partial sequence "AutoAttack".
/// </summary>
public sealed class AttackSequence : IAttack, IBatchSeeded
{
    /// <summary>The attacks, in the order they run.</summary>
    public IReadOnlyList<IAttack> Attacks { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>Robust points remaining after each stage of the last <c>Perturb</c> call (index i = after attack i).</summary>
    public int[] LastRobustAfterStage { get; private set; } = Array.Empty<int>();

    /// <summary>
    /// Per point of the last <c>Perturb</c> call: still robust after every stage (the flags that steered the sequence, as
    /// AutoAttack reports them). A point misclassified on the clean pass, or broken by any stage, is false, even when a
    /// randomised model happens to classify the returned image correctly on another pass.
    /// </summary>
    public bool[] LastRobust { get; private set; } = Array.Empty<bool>();

    /// <summary>Wall-clock seconds of each stage in the last <c>Perturb</c> call (0 for a stage with no point left).</summary>
    public double[] LastStageSeconds { get; private set; } = Array.Empty<double>();

    /// <summary>Per point of the last <c>Perturb</c> call: classified correctly on the sequence's clean pass.</summary>
    public bool[] LastCleanCorrect { get; private set; } = Array.Empty<bool>();

    /// <inheritdoc />
    public void SeedForBatch(long batch)
    {
        foreach (var attack in Attacks.OfType<IBatchSeeded>()) attack.SeedForBatch(batch);
    }

    /// <inheritdoc />
    public string Describe() => string.Join("; then on the points still robust: ", Attacks.Select(a => a.Describe()));

    /// <summary>Creates a sequence; all attacks must share one threat model.</summary>
    public AttackSequence(IReadOnlyList<IAttack> attacks, string? name = null)
    {
        if (attacks.Count == 0) throw new ArgumentException("an attack sequence needs at least one attack");
        Threat = attacks[0].Threat;
        foreach (var a in attacks)
            if (a.Threat != Threat)
                throw new ArgumentException($"attack {a.Name} has threat model {a.Threat}, the sequence has {Threat}");
        Attacks = attacks;
        Name = name ?? string.Join("+", attacks.Select(a => a.Name));
    }

    /// <summary>
    /// Called after each stage of each <see cref="Perturb(nn.Module{Tensor, Tensor}, Tensor, Tensor, PartTruth?)"/> call with
    /// (stage index, points the stage attacked, points of the batch still robust after it), e.g. to drive a progress bar per stage.
    /// </summary>
    public Action<int, int, int>? StageFinished { get; set; }

    /// <summary>
    /// Called before each stage that has points to attack, with (stage index, points it attacks), e.g. to point a progress
    /// bar at the stage about to run.
    /// </summary>
    public Action<int, int>? StageStarted { get; set; }

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => Perturb(model, images, labels, null);

    /// <summary>
    /// Runs the sequence; stages that are <see cref="IPartAttack"/>s get <paramref name="truth"/> restricted to the
    /// points they attack (they throw when it is null).
    /// </summary>
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, PartTruth? truth)
    {
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            var result = images.clone();
            Tensor robust;
            using (no_grad()) robust = model.call(images).argmax(1).eq(labels);
            var cleanCorrect = robust.cpu().data<bool>().ToArray();
            var after = new int[Attacks.Count];
            var seconds = new double[Attacks.Count];
            for (int i = 0; i < Attacks.Count; i++)
            {
                using var stage = NewDisposeScope();
                var stageClock = System.Diagnostics.Stopwatch.StartNew();
                var todo = robust.nonzero().flatten();
                int attacked = (int)todo.shape[0];
                if (todo.shape[0] > 0)
                {
                    StageStarted?.Invoke(i, attacked);
                    var xs = images.index_select(0, todo);
                    var ys = labels.index_select(0, todo);
                    var adv = Attacks[i] switch
                    {
                        IPartAttack pa when truth is not null => pa.Perturb(model, xs, ys, truth.Select(todo)),
                        var a => a.Perturb(model, xs, ys),
                    };
                    model.eval();
                    using (no_grad())
                    {
                        var broken = model.call(adv).argmax(1).ne(labels.index_select(0, todo));
                        var brokenIdx = todo.masked_select(broken);
                        result.index_copy_(0, brokenIdx, adv.index_select(0, broken.nonzero().flatten()));
                        robust.index_fill_(0, brokenIdx, false);
                    }
                }
                after[i] = (int)robust.sum().item<long>();
                seconds[i] = stageClock.Elapsed.TotalSeconds;
                StageFinished?.Invoke(i, attacked, after[i]);
            }
            LastRobustAfterStage = after;
            LastStageSeconds = seconds;
            LastCleanCorrect = cleanCorrect;
            LastRobust = robust.cpu().data<bool>().ToArray();
            Threat.Verify(images, result);
            return result.MoveToOuterDisposeScope();
        }
    }
}
