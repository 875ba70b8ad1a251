using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AsAtRegisterIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_RiskRevisions_OrganisationId_Reference_ValidFrom_ValidTo",
                table: "RiskRevisions",
                columns: new[] { "OrganisationId", "Reference", "ValidFrom", "ValidTo" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RiskRevisions_OrganisationId_Reference_ValidFrom_ValidTo",
                table: "RiskRevisions");
        }
    }
}
