namespace E2ENet.Data
{
    /// <summary>Progress of a long operation: <paramref name="Done"/> of <paramref name="Total"/> items of a stage, the last one named.</summary>
    public sealed record DataProgress(string Stage, int Done, int Total, string? Item, string? Note = null);
}
