using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CoveringEvidenceSpanIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EvidenceItems_OrganisationId_PeriodTo",
                table: "EvidenceItems");

            migrationBuilder.DropIndex(
                name: "IX_EvidenceItemLinks_EvidenceItemId",
                table: "EvidenceItemLinks");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_OrganisationId_PeriodTo_PeriodFrom_Id",
                table: "EvidenceItems",
                columns: new[] { "OrganisationId", "PeriodTo", "PeriodFrom", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_EvidenceItemId_ControlId_ActivityId",
                table: "EvidenceItemLinks",
                columns: new[] { "EvidenceItemId", "ControlId", "ActivityId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EvidenceItems_OrganisationId_PeriodTo_PeriodFrom_Id",
                table: "EvidenceItems");

            migrationBuilder.DropIndex(
                name: "IX_EvidenceItemLinks_EvidenceItemId_ControlId_ActivityId",
                table: "EvidenceItemLinks");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_OrganisationId_PeriodTo",
                table: "EvidenceItems",
                columns: new[] { "OrganisationId", "PeriodTo" });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItemLinks_EvidenceItemId",
                table: "EvidenceItemLinks",
                column: "EvidenceItemId");
        }
    }
}
