using FanPin.Grading.Application.Common;
using FanPin.Grading.Domain;

namespace FanPin.Grading.Infrastructure.Redis;

/// <summary>
/// The dashboard projection (Redis): each household's current grade and counts per region prefix per grade.
/// Never the only copy: PostgreSQL is the record and <c>RebuildGradeProjection</c> rebuilds this from it.
/// </summary>
public interface IGradeProjectionStore
{
    /// <summary>False when no cache is configured; readers then count from PostgreSQL.</summary>
    bool IsConfigured { get; }

    /// <summary>
    /// Applies grade changes atomically per batch: a household's counts move from its old grade to its new one
    /// unless the stored version is already newer (late or repeated updates change nothing).
    /// </summary>
    Task ApplyAsync(IReadOnlyList<GradeProjectionChange> changes, CancellationToken ct);

    /// <summary>Households per grade in a region prefix (grades without households are absent).</summary>
    Task<IReadOnlyDictionary<WarningGrade, long>> GetCountsAsync(RegionPrefix prefix, CancellationToken ct);

    /// <summary>A household's projected grade and version; null when the projection has never seen it.</summary>
    Task<(WarningGrade? Grade, long Version)?> GetGradeAsync(string regionCode, Guid householdId, CancellationToken ct);

    /// <summary>Deletes a province's grades, counts and built mark (the first step of a rebuild).</summary>
    Task ResetProvinceAsync(string province, CancellationToken ct);

    /// <summary>True when a province's projection was built from PostgreSQL and not lost since (readers trust it only then).</summary>
    Task<bool> IsBuiltAsync(string province, CancellationToken ct);

    /// <summary>Marks a province's projection built (the last step of a rebuild).</summary>
    Task MarkBuiltAsync(string province, CancellationToken ct);
}

/// <summary>No cache configured: nothing is projected; readers count from PostgreSQL.</summary>
public sealed class NoGradeProjectionStore : IGradeProjectionStore
{
    /// <inheritdoc />
    public bool IsConfigured => false;

    /// <inheritdoc />
    public Task ApplyAsync(IReadOnlyList<GradeProjectionChange> changes, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<WarningGrade, long>> GetCountsAsync(RegionPrefix prefix, CancellationToken ct) =>
        throw new InvalidOperationException("No cache is configured (ConnectionStrings:cache).");

    /// <inheritdoc />
    public Task<(WarningGrade? Grade, long Version)?> GetGradeAsync(string regionCode, Guid householdId, CancellationToken ct) =>
        Task.FromResult<(WarningGrade? Grade, long Version)?>(null);

    /// <inheritdoc />
    public Task ResetProvinceAsync(string province, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<bool> IsBuiltAsync(string province, CancellationToken ct) => Task.FromResult(false);

    /// <inheritdoc />
    public Task MarkBuiltAsync(string province, CancellationToken ct) => Task.CompletedTask;
}
