using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FanPin.Registry.Infrastructure;

/// <summary>Reads PostgreSQL's answers to writes that lost a race against a unique index or a row version.</summary>
public static class DbErrors
{
    /// <summary>True when the save failed on the named unique index.</summary>
    public static bool IsUniqueViolation(DbUpdateException ex, string index) =>
        ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && pg.ConstraintName == index;

    /// <summary>Runs a save, turning a concurrent change of the same rows into FAILED_PRECONDITION.</summary>
    public static async Task SaveAsync(RegistryDbContext db, string what, Func<string> currentState, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new PreconditionFailedException($"{what} was changed by someone else meanwhile; read it again and retry", currentState());
        }
    }
}
