using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class NonconformityLoop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AuditFindingId",
                table: "Nonconformities",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ClosedByUserId",
                table: "Nonconformities",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClosureJustification",
                table: "Nonconformities",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ContainedOn",
                table: "Nonconformities",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Containment",
                table: "Nonconformities",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CurrentRound",
                table: "Nonconformities",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateOnly>(
                name: "DueOn",
                table: "Nonconformities",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Identifier",
                table: "Nonconformities",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "IncidentId",
                table: "Nonconformities",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OwnerUserId",
                table: "Nonconformities",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RaisedByName",
                table: "Nonconformities",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<Guid>(
                name: "RaisedByUserId",
                table: "Nonconformities",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Severity",
                table: "Nonconformities",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "CorrectiveActions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "uuid", nullable: false),
                    NonconformityId = table.Column<Guid>(type: "uuid", nullable: false),
                    Round = table.Column<int>(type: "integer", nullable: false),
                    Title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    OwnerUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    DueOn = table.Column<DateOnly>(type: "date", nullable: false),
                    Status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    DoneOn = table.Column<DateOnly>(type: "date", nullable: true),
                    Note = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CorrectiveActions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CorrectiveActions_AspNetUsers_OwnerUserId",
                        column: x => x.OwnerUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CorrectiveActions_Nonconformities_NonconformityId",
                        column: x => x.NonconformityId,
                        principalTable: "Nonconformities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NonconformityRisks",
                columns: table => new
                {
                    NonconformityId = table.Column<Guid>(type: "uuid", nullable: false),
                    RiskId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NonconformityRisks", x => new { x.NonconformityId, x.RiskId });
                    table.ForeignKey(
                        name: "FK_NonconformityRisks_Nonconformities_NonconformityId",
                        column: x => x.NonconformityId,
                        principalTable: "Nonconformities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_NonconformityRisks_Risks_RiskId",
                        column: x => x.RiskId,
                        principalTable: "Risks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NonconformityRounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "uuid", nullable: false),
                    NonconformityId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Method = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    Whys = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    RootCause = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    CauseCategory = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    AnalysedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AnalysedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ActionsDoneOn = table.Column<DateOnly>(type: "date", nullable: true),
                    CheckDueOn = table.Column<DateOnly>(type: "date", nullable: true),
                    CheckResult = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: true),
                    CheckNotes = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    CheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CheckedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    CheckEvidence = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NonconformityRounds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NonconformityRounds_AspNetUsers_AnalysedByUserId",
                        column: x => x.AnalysedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_NonconformityRounds_AspNetUsers_CheckedByUserId",
                        column: x => x.CheckedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_NonconformityRounds_Nonconformities_NonconformityId",
                        column: x => x.NonconformityId,
                        principalTable: "Nonconformities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NonconformitySettings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "uuid", nullable: false),
                    EffectivenessCheckDays = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NonconformitySettings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NonconformitySettings_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_AuditFindingId",
                table: "Nonconformities",
                column: "AuditFindingId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_ClosedByUserId",
                table: "Nonconformities",
                column: "ClosedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_IncidentId",
                table: "Nonconformities",
                column: "IncidentId");

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_OrganisationId_Identifier",
                table: "Nonconformities",
                columns: new[] { "OrganisationId", "Identifier" });

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_OrganisationId_Status",
                table: "Nonconformities",
                columns: new[] { "OrganisationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_OwnerUserId",
                table: "Nonconformities",
                column: "OwnerUserId");

            migrationBuilder.CreateIndex(
                name: "IX_Nonconformities_RaisedByUserId",
                table: "Nonconformities",
                column: "RaisedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_CorrectiveActions_NonconformityId",
                table: "CorrectiveActions",
                column: "NonconformityId");

            migrationBuilder.CreateIndex(
                name: "IX_CorrectiveActions_OrganisationId_Status_DueOn",
                table: "CorrectiveActions",
                columns: new[] { "OrganisationId", "Status", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_CorrectiveActions_OwnerUserId",
                table: "CorrectiveActions",
                column: "OwnerUserId");

            migrationBuilder.CreateIndex(
                name: "IX_NonconformityRisks_RiskId",
                table: "NonconformityRisks",
                column: "RiskId");

            migrationBuilder.CreateIndex(
                name: "IX_NonconformityRounds_AnalysedByUserId",
                table: "NonconformityRounds",
                column: "AnalysedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_NonconformityRounds_CheckedByUserId",
                table: "NonconformityRounds",
                column: "CheckedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_NonconformityRounds_NonconformityId_Number",
                table: "NonconformityRounds",
                columns: new[] { "NonconformityId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NonconformityRounds_OrganisationId_CheckDueOn",
                table: "NonconformityRounds",
                columns: new[] { "OrganisationId", "CheckDueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_NonconformitySettings_OrganisationId",
                table: "NonconformitySettings",
                column: "OrganisationId",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Nonconformities_AspNetUsers_ClosedByUserId",
                table: "Nonconformities",
                column: "ClosedByUserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_Nonconformities_AspNetUsers_OwnerUserId",
                table: "Nonconformities",
                column: "OwnerUserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_Nonconformities_AspNetUsers_RaisedByUserId",
                table: "Nonconformities",
                column: "RaisedByUserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_Nonconformities_AuditFindings_AuditFindingId",
                table: "Nonconformities",
                column: "AuditFindingId",
                principalTable: "AuditFindings",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_Nonconformities_Incidents_IncidentId",
                table: "Nonconformities",
                column: "IncidentId",
                principalTable: "Incidents",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            // Every existing nonconformity joins the loop with its history: open ones as raised, closed ones
            // with a note that they were closed before corrective actions were tracked, each with its first
            // round (its id is the nonconformity's own, which is unique in the rounds table too), and the
            // owner of the activity whose missed occurrence raised it as its owner.
            migrationBuilder.Sql("""UPDATE "Nonconformities" SET "Status" = 'Raised' WHERE "Status" = 'Open';""");
            migrationBuilder.Sql("""UPDATE "Nonconformities" SET "Severity" = 'Minor', "CurrentRound" = 1, "RaisedByName" = 'system';""");
            migrationBuilder.Sql("""UPDATE "Nonconformities" SET "ClosureJustification" = 'Closed before corrective actions were tracked in Perennial.' WHERE "Status" = 'Closed';""");
            migrationBuilder.Sql("""
                UPDATE "Nonconformities" SET "OwnerUserId" = (
                    SELECT a."OwnerUserId" FROM "Occurrences" o JOIN "Activities" a ON a."Id" = o."ActivityId" WHERE o."Id" = "Nonconformities"."OccurrenceId")
                WHERE "OccurrenceId" IS NOT NULL;
                """);
            migrationBuilder.Sql("""
                INSERT INTO "NonconformityRounds" ("Id", "OrganisationId", "NonconformityId", "Number")
                SELECT "Id", "OrganisationId", "Id", 1 FROM "Nonconformities";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Nonconformities_AspNetUsers_ClosedByUserId",
                table: "Nonconformities");

            migrationBuilder.DropForeignKey(
                name: "FK_Nonconformities_AspNetUsers_OwnerUserId",
                table: "Nonconformities");

            migrationBuilder.DropForeignKey(
                name: "FK_Nonconformities_AspNetUsers_RaisedByUserId",
                table: "Nonconformities");

            migrationBuilder.DropForeignKey(
                name: "FK_Nonconformities_AuditFindings_AuditFindingId",
                table: "Nonconformities");

            migrationBuilder.DropForeignKey(
                name: "FK_Nonconformities_Incidents_IncidentId",
                table: "Nonconformities");

            migrationBuilder.DropTable(
                name: "CorrectiveActions");

            migrationBuilder.DropTable(
                name: "NonconformityRisks");

            migrationBuilder.DropTable(
                name: "NonconformityRounds");

            migrationBuilder.DropTable(
                name: "NonconformitySettings");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_AuditFindingId",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_ClosedByUserId",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_IncidentId",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_OrganisationId_Identifier",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_OrganisationId_Status",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_OwnerUserId",
                table: "Nonconformities");

            migrationBuilder.DropIndex(
                name: "IX_Nonconformities_RaisedByUserId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "AuditFindingId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "ClosedByUserId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "ClosureJustification",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "ContainedOn",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "Containment",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "CurrentRound",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "DueOn",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "Identifier",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "IncidentId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "OwnerUserId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "RaisedByName",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "RaisedByUserId",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "Severity",
                table: "Nonconformities");
        }
    }
}
