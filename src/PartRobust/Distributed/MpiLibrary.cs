using System.Runtime.InteropServices;

namespace PartRobust.Distributed;

/// <summary>
/// A thin binding of the dozen MPI entry points PartRobust needs, for both ABIs found on Linux clusters: MPICH's (MPICH,
/// Intel MPI, MVAPICH; handles are integers fixed by <c>mpi.h</c>) and Open MPI's (handles are the addresses of exported
/// globals such as <c>ompi_mpi_comm_world</c>). Handles travel as <see cref="nint"/>: on x86-64 and arm64 an int
/// argument is the low half of its register, so one set of function pointers serves both ABIs.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>Which ABI the loaded library speaks.</summary>
    public enum Flavor { Mpich, OpenMpi }

    /// <summary>The ABI of the loaded library.</summary>
    public Flavor Abi { get; }

    /// <summary>The file the library was loaded from (its soname when found on the loader path).</summary>
    public string Path { get; }

    public readonly nint CommWorld, Float, Double, Byte, Int, Int64, OpSum, OpMax, OpMin, InPlace;

    readonly delegate* unmanaged<int*, nint, int, int*, int> _initThread;
    readonly delegate* unmanaged<int*, int> _initialized;
    readonly delegate* unmanaged<int*, int> _finalized;
    readonly delegate* unmanaged<int> _finalize;
    readonly delegate* unmanaged<nint, int*, int> _commRank;
    readonly delegate* unmanaged<nint, int*, int> _commSize;
    readonly delegate* unmanaged<nint, int, int> _abort;
    readonly delegate* unmanaged<nint, int> _barrier;
    readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> _allgather;
    readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int> _allgatherv;

    MpiLibrary(nint handle, string path, Flavor abi)
    {
        Path = path;
        Abi = abi;
        _initThread = (delegate* unmanaged<int*, nint, int, int*, int>)NativeLibrary.GetExport(handle, "MPI_Init_thread");
        _initialized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(handle, "MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(handle, "MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(handle, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(handle, "MPI_Comm_size");
        _abort = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(handle, "MPI_Abort");
        _barrier = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(handle, "MPI_Barrier");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)NativeLibrary.GetExport(handle, "MPI_Allreduce");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)NativeLibrary.GetExport(handle, "MPI_Bcast");
        _allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)NativeLibrary.GetExport(handle, "MPI_Allgather");
        _allgatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)NativeLibrary.GetExport(handle, "MPI_Allgatherv");
        if (abi == Flavor.Mpich)
        {
            // mpi.h of MPICH 4 (the values are part of its ABI and shared by Intel MPI and MVAPICH).
            CommWorld = 0x44000000;
            Float = 0x4c00040a;
            Double = 0x4c00080b;
            Byte = 0x4c00010d;
            Int = 0x4c000405;
            Int64 = 0x4c00083a;
            OpMax = 0x58000001;
            OpMin = 0x58000002;
            OpSum = 0x58000003;
            InPlace = -1;
        }
        else
        {
            CommWorld = NativeLibrary.GetExport(handle, "ompi_mpi_comm_world");
            Float = NativeLibrary.GetExport(handle, "ompi_mpi_float");
            Double = NativeLibrary.GetExport(handle, "ompi_mpi_double");
            Byte = NativeLibrary.GetExport(handle, "ompi_mpi_byte");
            Int = NativeLibrary.GetExport(handle, "ompi_mpi_int");
            Int64 = NativeLibrary.GetExport(handle, "ompi_mpi_int64_t");
            OpMax = NativeLibrary.GetExport(handle, "ompi_mpi_op_max");
            OpMin = NativeLibrary.GetExport(handle, "ompi_mpi_op_min");
            OpSum = NativeLibrary.GetExport(handle, "ompi_mpi_op_sum");
            InPlace = 1;
        }
    }

    /// <summary>
    /// Loads the MPI library for <paramref name="abi"/>: <paramref name="path"/> when given, else the usual sonames.
    /// Loaded with RTLD_GLOBAL, because Open MPI's plugins resolve symbols of libmpi when they are opened.
    /// </summary>
    public static MpiLibrary Load(Flavor abi, string? path)
    {
        var candidates = path is not null ? new[] { path }
            : abi == Flavor.Mpich ? new[] { "libmpich.so.12", "libmpi.so.12", "libmpich.so" }
            : new[] { "libmpi.so.40", "libmpi.so" };
        var tried = new List<string>();
        foreach (var name in candidates)
        {
            nint handle = dlopen(name, RtldNow | RtldGlobal);
            if (handle != 0) return new MpiLibrary(handle, name, abi);
            tried.Add(name);
        }
        throw new DllNotFoundException($"no {(abi == Flavor.Mpich ? "MPICH-ABI" : "Open MPI")} library found (tried {string.Join(", ", tried)}); " +
                                       "install the MPI the launcher belongs to, or set PARTROBUST_MPI_LIBRARY to its libmpi");
    }

    const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc", EntryPoint = "dlopen")]
    static extern nint dlopen([MarshalAs(UnmanagedType.LPStr)] string file, int mode);

    static void Check(int rc, string what)
    {
        if (rc != 0) throw new InvalidOperationException($"{what} failed with MPI error code {rc}");
    }

    /// <summary>MPI_Init_thread unless MPI is already initialised; the thread level provided.</summary>
    public int Init(int required)
    {
        int flag = 0, provided = 0;
        Check(_initialized(&flag), "MPI_Initialized");
        if (flag != 0) return required;
        Check(_initThread(null, 0, required, &provided), "MPI_Init_thread");
        return provided;
    }

    public bool Finalized
    {
        get
        {
            int flag = 0;
            Check(_finalized(&flag), "MPI_Finalized");
            return flag != 0;
        }
    }

    public void Shutdown() => Check(_finalize(), "MPI_Finalize");

    public int Rank()
    {
        int r;
        Check(_commRank(CommWorld, &r), "MPI_Comm_rank");
        return r;
    }

    public int Size()
    {
        int s;
        Check(_commSize(CommWorld, &s), "MPI_Comm_size");
        return s;
    }

    public void Abort(int code) => _abort(CommWorld, code);

    public void Barrier() => Check(_barrier(CommWorld), "MPI_Barrier");

    public void AllreduceInPlace(void* buffer, int count, nint type, nint op) =>
        Check(_allreduce((void*)InPlace, buffer, count, type, op, CommWorld), "MPI_Allreduce");

    public void Bcast(void* buffer, int count, nint type, int root) => Check(_bcast(buffer, count, type, root, CommWorld), "MPI_Bcast");

    public void Allgather(void* send, int count, nint type, void* receive) =>
        Check(_allgather(send, count, type, receive, count, type, CommWorld), "MPI_Allgather");

    public void Allgatherv(void* send, int count, nint type, void* receive, int* counts, int* displacements) =>
        Check(_allgatherv(send, count, type, receive, counts, displacements, type, CommWorld), "MPI_Allgatherv");
}
