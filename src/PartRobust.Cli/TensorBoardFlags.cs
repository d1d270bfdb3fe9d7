using System.CommandLine;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The TensorBoard flags of <c>demo</c> and <c>train</c>: where the event files go, or none.</summary>
sealed class TensorBoardFlags
{
    readonly Option<string?> folder = new("--tensorboard")
    {
        Description = $"Folder of the TensorBoard event files (default: {TensorBoardOptions.RunFolderName}/ in the run folder); view with 'tensorboard --logdir DIR'",
        HelpName = "DIR",
    };

    readonly Option<bool> off = new("--no-tensorboard") { Description = "Write no TensorBoard event files" };

    public void AddTo(Command command)
    {
        command.Options.Add(folder);
        command.Options.Add(off);
    }

    /// <summary>The options the flags ask for.</summary>
    public TensorBoardOptions Resolve(ParseResult p)
    {
        string? chosen = p.GetValue(folder);
        if (!p.GetValue(off)) return chosen is null ? TensorBoardOptions.InRunFolder : new TensorBoardOptions { Folder = chosen };
        if (chosen is not null) throw new ArgumentException("--tensorboard and --no-tensorboard: give one of them");
        return TensorBoardOptions.Off;
    }
}
