using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Evaluation;

/// <summary>Copies the first points of a run out of its batches into plain arrays, as the batches go by.</summary>
internal sealed class ExampleKeeper
{
    readonly IAttack attack;
    readonly int count, channels, height, width;
    readonly float[] clean, adversarial;
    readonly long[] labels, cleanPredictions, adversarialPredictions;
    readonly long[]? cleanMasks, adversarialMasks;

    public ExampleKeeper(IAttack attack, PartDataset data, int count, bool partModel)
    {
        this.attack = attack;
        this.count = count;
        var shape = data.Images.shape;
        (channels, height, width) = ((int)shape[1], (int)shape[2], (int)shape[3]);
        int image = channels * height * width, plane = height * width;
        clean = new float[count * image];
        adversarial = new float[count * image];
        labels = new long[count];
        cleanPredictions = new long[count];
        adversarialPredictions = new long[count];
        if (partModel)
        {
            cleanMasks = new long[count * plane];
            adversarialMasks = new long[count * plane];
        }
    }

    /// <summary>Keeps the points of the batch starting at <paramref name="start"/> that are among the first <c>count</c>.</summary>
    public void Add(nn.Module<Tensor, Tensor> model, int start, Tensor x, Tensor adv, Tensor y, Tensor cleanPred, Tensor advPred)
    {
        if (start >= count) return;
        int m = Math.Min((int)x.shape[0], count - start);
        int image = channels * height * width, plane = height * width;
        Copy(x, m, clean, start * image);
        Copy(adv, m, adversarial, start * image);
        Copy(y, m, labels, start);
        Copy(cleanPred, m, cleanPredictions, start);
        Copy(advPred, m, adversarialPredictions, start);
        if (model is IPartModel part && cleanMasks is not null && adversarialMasks is not null)
        {
            // The masks are not part of the attack's result; one extra forward pass on at most `count` images.
            using var _ = no_grad();
            Copy(part.ForwardWithParts(x.narrow(0, 0, m)).PartLogits.argmax(1), m, cleanMasks, start * plane);
            Copy(part.ForwardWithParts(adv.narrow(0, 0, m)).PartLogits.argmax(1), m, adversarialMasks, start * plane);
        }
    }

    /// <summary>Writes what this keeper holds of the batch at <paramref name="start"/> of <paramref name="n"/> points (nothing past the first <c>count</c>).</summary>
    public void WriteBatch(BinaryWriter w, int start, int n)
    {
        int m = Math.Max(0, Math.Min(n, count - start));
        if (m == 0) return;
        int image = channels * height * width, plane = height * width;
        Write(w, clean, start * image, m * image);
        Write(w, adversarial, start * image, m * image);
        Write(w, labels, start, m);
        Write(w, cleanPredictions, start, m);
        Write(w, adversarialPredictions, start, m);
        if (cleanMasks is not null) Write(w, cleanMasks, start * plane, m * plane);
        if (adversarialMasks is not null) Write(w, adversarialMasks, start * plane, m * plane);
    }

    /// <summary>Reads what <see cref="WriteBatch"/> wrote, into the same places.</summary>
    public void ReadBatch(BinaryReader r, int start, int n)
    {
        int m = Math.Max(0, Math.Min(n, count - start));
        if (m == 0) return;
        int image = channels * height * width, plane = height * width;
        Read(r, clean, start * image, m * image);
        Read(r, adversarial, start * image, m * image);
        Read(r, labels, start, m);
        Read(r, cleanPredictions, start, m);
        Read(r, adversarialPredictions, start, m);
        if (cleanMasks is not null) Read(r, cleanMasks, start * plane, m * plane);
        if (adversarialMasks is not null) Read(r, adversarialMasks, start * plane, m * plane);
    }

    static void Write<T>(BinaryWriter w, T[] from, int offset, int length) where T : unmanaged =>
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(from.AsSpan(offset, length)));

    static void Read<T>(BinaryReader r, T[] into, int offset, int length) where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(into.AsSpan(offset, length));
        if (r.Read(bytes) != bytes.Length) throw new InvalidDataException("a rank's adversarial examples ended early");
    }

    public AdversarialExamples Result() => new(attack.Name, attack.Threat.Norm, attack.Threat.Epsilon, count, channels, height, width,
        clean, adversarial, labels, cleanPredictions, adversarialPredictions, cleanMasks, adversarialMasks);

    static void Copy(Tensor t, int m, float[] into, int offset)
    {
        var values = t.narrow(0, 0, m).to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        Array.Copy(values, 0, into, offset, values.Length);
    }

    static void Copy(Tensor t, int m, long[] into, int offset)
    {
        var values = t.narrow(0, 0, m).to_type(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
        Array.Copy(values, 0, into, offset, values.Length);
    }
}
