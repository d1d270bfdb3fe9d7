using Xunit;

namespace PartRobust.Tests.Distributed;

/// <summary>The MPI tests run one after another: each job already keeps two processes busy.</summary>
[CollectionDefinition("mpi")]
public class MpiCollection;
