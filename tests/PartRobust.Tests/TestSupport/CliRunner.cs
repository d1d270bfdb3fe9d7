using PartRobust.Cli;

namespace PartRobust.Tests.TestSupport;

/// <summary>Runs the <c>partrobust</c> command in-process with the console captured (use from the non-parallel "console" collection).</summary>
public static class CliRunner
{
    /// <summary>The exit code and what the command wrote to standard output and standard error.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (PartRobustCli.Run(args), o.ToString(), e.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
