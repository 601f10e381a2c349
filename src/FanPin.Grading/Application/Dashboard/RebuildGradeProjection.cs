using FanPin.Grading.Application.Common;
using FanPin.Grading.Infrastructure.Redis;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Application.Dashboard;

/// <summary>Rebuild the caller's province's projection.</summary>
public sealed record RebuildGradeProjectionRequest;

/// <summary>Households written to the projection.</summary>
public sealed record RebuildGradeProjectionResult(string Province, int Households);

/// <summary>
/// Rebuilds the caller's province's Redis projection from PostgreSQL (<see cref="GradeProjectionRebuilder"/>): the
/// way to recover after a projection write failed. The re-grade service also rebuilds by itself a province whose
/// projection Redis lost (<see cref="EnsureGradeProjections"/>).
/// </summary>
public sealed class RebuildGradeProjection(GradeProjectionRebuilder rebuilder, IGradeProjectionStore store)
{
    /// <summary>Runs the use case.</summary>
    public async Task<RebuildGradeProjectionResult> HandleAsync(Caller caller, RebuildGradeProjectionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        RegionScope.DemandRole(caller, "rebuild the grade projection", GradingAccess.PolicyAdmins);
        var province = GradingAccess.ProvinceOf(caller);
        if (!store.IsConfigured)
        {
            throw new PreconditionFailedException("There is no projection to rebuild: no cache is configured (ConnectionStrings:cache)", "cache: none");
        }
        return new RebuildGradeProjectionResult(province, await rebuilder.RebuildAsync(province, ct).ConfigureAwait(false));
    }
}
