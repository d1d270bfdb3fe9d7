using System.Buffers.Binary;
using System.Collections;
using System.IO.Compression;
using System.Text;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PartRobust.Weights;

/// <summary>
/// Reads and writes state dicts as PyTorch <c>.pt</c>/<c>.pth</c> files (zip format of <c>torch.save</c>, through
/// TorchSharp.PyBridge's <see cref="PyTorchUnpickler"/> / <see cref="PyTorchPickler"/>) and <c>.safetensors</c> files
/// (header checked by <see cref="SafetensorsLayout"/>, data read and written by PyBridge's <see cref="Safetensors"/>).
/// The format of a file being read is recognised from its first bytes, not its name. Every failure is an exception
/// whose one-line message names the file.
/// </summary>
public static class StateDictFile
{
    /// <summary>Entries of a saved dict that hold the state_dict, tried in this order (training scripts' conventions).</summary>
    public static readonly IReadOnlyList<string> StateDictEntries = new[] { "state_dict", "model", "module", "model_state_dict" };

    /// <summary>
    /// Reads the tensors of <paramref name="path"/>: a safetensors file, or a <c>torch.save</c> zip file holding a bare
    /// state_dict or a dict with one of the <see cref="StateDictEntries"/> (as training checkpoints do). Tensors come back
    /// on the CPU, contiguous, in file order (safetensors: data order; PyTorch: order of first appearance in the pickle).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a readable state dict (the message says why).</exception>
    public static StateDict Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder, expected a .pt/.pth or .safetensors file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var head = new byte[9];
        long length;
        using (var s = File.OpenRead(path))
        {
            length = s.Length;
            s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (length == 0) throw new InvalidDataException($"{path}: empty file");
        if (head[0] == 0x50 && head[1] == 0x4b && head[2] == 0x03 && head[3] == 0x04) return ReadPyTorch(path);
        if (SafetensorsLayout.LooksLikeSafetensors(head, length)) return ReadSafetensors(path);
        if (head[0] == 0x80 && length > 1 && head[1] <= 5)
            throw new InvalidDataException($"{path}: a bare pickle or a legacy (pre-1.6, non-zip) torch.save file, which is not supported; " +
                                           "re-save it with torch.save in a current PyTorch, or as safetensors");
        throw new InvalidDataException($"{path}: neither a PyTorch checkpoint (torch.save zip) nor a safetensors file");
    }

    /// <summary>
    /// Writes <paramref name="state"/> to <paramref name="path"/> through a temporary name (readers never see half a file):
    /// safetensors via PyBridge's <see cref="Safetensors.SaveStateDict(Stream, Dictionary{string, Tensor}, bool)"/>, or a
    /// <c>torch.save</c>-compatible zip holding a bare state_dict via <see cref="PyTorchPickler"/>. Tensors are written
    /// from contiguous CPU copies.
    /// </summary>
    public static void Write(string path, StateDict state, StateDictFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(state);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var scope = NewDisposeScope())
            {
                var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var (name, tensor) in state.Items) dict[name] = FreshCopy(tensor);
                using var stream = File.Create(temp);
                if (format == StateDictFormat.Safetensors) Safetensors.SaveStateDict(stream, dict, leaveOpen: true);
                else PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>A detached, contiguous CPU tensor with its own storage (offset 0), as both writers need.</summary>
    private static Tensor FreshCopy(Tensor t)
    {
        var copy = empty(t.shape, dtype: t.dtype, device: CPU);
        using (no_grad()) copy.copy_(t);
        return copy;
    }

    private static StateDict ReadSafetensors(string path)
    {
        var header = SafetensorsLayout.Read(path);
        foreach (var e in header.Entries)
            if (e.DType is "U16" or "U32" or "U64" or "F8_E4M3" or "F8_E5M2")
                throw new InvalidDataException($"{path}: tensor '{e.Name}' has dtype {e.DType}, which TorchSharp.PyBridge cannot read");
        if (header.Entries.Count == 0) throw new InvalidDataException($"{path}: the safetensors file holds no tensors");
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> loaded;
        using (var stream = File.OpenRead(path)) loaded = Safetensors.LoadStateDict(stream);
        var result = new StateDict();
        foreach (var e in header.Entries.OrderBy(e => e.Begin)) result.Add(e.Name, loaded[e.Name]);
        return result;
    }

    private static StateDict ReadPyTorch(string path)
    {
        Hashtable top;
        using var scope = NewDisposeScope();
        try
        {
            using var stream = File.OpenRead(path);
            top = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (NotImplementedException e) when (e.Message.Contains("entire model", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: holds a whole pickled model (torch.save(model)), not a state_dict; save model.state_dict() instead");
        }
        catch (InvalidCastException)
        {
            throw new InvalidDataException($"{path}: the pickle's top-level object is not a dict, so it holds no state_dict");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a readable PyTorch checkpoint ({FirstLine(e)})");
        }

        string? entry = null;
        IDictionary? source = null;
        if (CountTensors(top) > 0 && !StateDictEntries.Any(k => top[k] is IDictionary)) source = top;
        else
            foreach (var k in StateDictEntries)
                if (top[k] is IDictionary d && CountTensors(d) > 0) { entry = k; source = d; break; }
        if (source is null)
        {
            var keys = top.Keys.Cast<object>().Select(k => k.ToString()).Take(8);
            throw new InvalidDataException($"{path}: no tensors found (top-level keys: {string.Join(", ", keys)}); expected a state_dict " +
                                           $"or a dict with a {string.Join("/", StateDictEntries.Select(k => $"'{k}'"))} entry");
        }

        var names = source.Keys.Cast<object>().Where(k => k is string && source[k] is Tensor).Cast<string>().ToList();
        var order = PickleOrder(path, names);
        var result = new StateDict { Entry = entry };
        foreach (var name in names.OrderBy(n => order[n]).ThenBy(n => n, StringComparer.Ordinal))
        {
            var t = (Tensor)source[name]!;
            result.Add(name, t.detach().contiguous());
        }
        return result;
    }

    private static int CountTensors(IDictionary d) => d.Values.Cast<object?>().Count(v => v is Tensor);

    /// <summary>
    /// PyBridge returns a Hashtable, which forgets the order of the saved OrderedDict. The order is recovered from
    /// <c>data.pkl</c>: each name's first occurrence as a pickled string (BINUNICODE 'X' + 4-byte length, or protocol-4
    /// SHORT_BINUNICODE 0x8C + 1-byte length) is where the state_dict lists it.
    /// </summary>
    private static Dictionary<string, long> PickleOrder(string path, IReadOnlyList<string> names)
    {
        var order = names.ToDictionary(n => n, _ => long.MaxValue, StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.Entries.FirstOrDefault(e => e.Name == "data.pkl");
            if (entry is null) return order;
            using var ms = new MemoryStream();
            using (var s = entry.Open()) s.CopyTo(ms);
            var pickle = ms.GetBuffer().AsSpan(0, (int)ms.Length);
            foreach (var name in names)
            {
                var utf8 = Encoding.UTF8.GetBytes(name);
                var binUnicode = new byte[5 + utf8.Length];
                binUnicode[0] = (byte)'X';
                BinaryPrimitives.WriteInt32LittleEndian(binUnicode.AsSpan(1), utf8.Length);
                utf8.CopyTo(binUnicode, 5);
                int at = pickle.IndexOf(binUnicode);
                if (utf8.Length < 256)
                {
                    var shortForm = new byte[2 + utf8.Length];
                    shortForm[0] = 0x8C;
                    shortForm[1] = (byte)utf8.Length;
                    utf8.CopyTo(shortForm, 2);
                    int at2 = pickle.IndexOf(shortForm);
                    if (at2 >= 0 && (at < 0 || at2 < at)) at = at2;
                }
                if (at >= 0) order[name] = at;
            }
        }
        catch (InvalidDataException) { }
        return order;
    }

    private static string FirstLine(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
}
