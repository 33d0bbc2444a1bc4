// The statement as an .xlsx workbook: a header block, one row per open invoice, and the total.

export interface StatementSheet {
  readonly company: string;
  readonly customerAccount: string;
  readonly customerName: string;
  /** YYYY-MM-DD */
  readonly asOf: string;
  readonly currency: string;
  readonly rows: readonly { number: string; invoiceDate: string; dueDate: string; amountMinor: number; openMinor: number }[];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The row of the column headings; invoices start on the next row. */
export const HEADER_ROW = 6;

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

export async function buildStatementWorkbook(s: StatementSheet): Promise<Buffer> {
  // Loaded on first use: the library is large, and most commands never build a workbook.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  // The same statement gives the same file: no wall-clock time inside.
  workbook.creator = s.company || 'Mailroom';
  workbook.created = day(s.asOf);
  workbook.modified = day(s.asOf);
  const sheet = workbook.addWorksheet('Statement');
  sheet.columns = [{ width: 16 }, { width: 14 }, { width: 14 }, { width: 16 }, { width: 16 }];
  sheet.getCell('A1').value = 'Customer statement';
  sheet.getCell('A1').font = { bold: true, size: 14 };
  sheet.addRow(['Customer', s.customerAccount, s.customerName]);
  sheet.addRow(['Statement date', day(s.asOf)]);
  sheet.addRow(['Currency', s.currency]);
  if (s.company) sheet.addRow(['Company', s.company]); else sheet.addRow([]);
  sheet.getCell('B3').numFmt = 'yyyy-mm-dd';
  const header = sheet.getRow(HEADER_ROW);
  header.values = ['Invoice', 'Invoice date', 'Due date', 'Amount', 'Open amount'];
  header.font = { bold: true };
  let total = 0;
  s.rows.forEach((r, i) => {
    const row = sheet.getRow(HEADER_ROW + 1 + i);
    row.values = [r.number, day(r.invoiceDate), day(r.dueDate), r.amountMinor / 100, r.openMinor / 100];
    total += r.openMinor;
  });
  const totalRow = sheet.getRow(HEADER_ROW + 1 + s.rows.length);
  totalRow.values = ['Total', null, null, null, total / 100];
  totalRow.font = { bold: true };
  sheet.getColumn(2).numFmt = 'yyyy-mm-dd';
  sheet.getColumn(3).numFmt = 'yyyy-mm-dd';
  sheet.getColumn(4).numFmt = '#,##0.00';
  sheet.getColumn(5).numFmt = '#,##0.00';
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
