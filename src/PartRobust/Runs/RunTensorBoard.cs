using PartRobust.Reporting;

namespace PartRobust.Runs;

/// <summary>
/// The TensorBoard logs of a <c>train</c>/<c>demo</c> run: one folder per model (named as its checkpoint), so
/// TensorBoard shows each model as a run, and the run's own figures (the mask overlay of all models) at the root.
/// Only the process that writes the run folder writes them (rank 0 of an MPI job, or a rank running a study run alone).
/// </summary>
internal sealed class RunTensorBoard
{
    readonly string folder;
    TensorBoardLog? root;

    RunTensorBoard(string folder) => this.folder = folder;

    /// <summary>The logs <paramref name="options"/> ask for in <paramref name="run"/>; null when they are off or this process does not write the run.</summary>
    public static RunTensorBoard? Open(TensorBoardOptions options, RunDirectory run)
    {
        if (!options.Enabled || run.IsScratch) return null;
        return new RunTensorBoard(options.Folder is { } chosen ? Path.GetFullPath(chosen) : run.PathOf(TensorBoardOptions.RunFolderName));
    }

    /// <summary>A new event file for the model whose files are named <paramref name="fileStem"/>.</summary>
    public TensorBoardLog ForModel(string fileStem) => new(Path.Combine(folder, fileStem));

    /// <summary>Writes a figure of the whole run (not of one model) at <paramref name="step"/>.</summary>
    public void AddRunFigure(string tag, string pngFile, int step) => (root ??= new TensorBoardLog(folder)).AddFigure(tag, pngFile, step);
}
