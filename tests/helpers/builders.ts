import { campuses, departments, gates } from '../../server/db/schema';
import { hashPassword } from '../../server/lib/crypto';
import { insertUser } from '../../server/users/store';
import type { Db } from '../../server/db/open';
import type { Role } from '../../server/domain/roles';

export const TEST_PASSWORD = 'correct-horse-battery';
let cachedHash: string | undefined;
/** scrypt is deliberately slow: tests share one hash of the common password. */
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

export interface Campus {
  campusId: number;
  gateIds: { north: number; east: number; south: number };
  departmentIds: { cs: number; math: number };
}

/** One campus, three gates, two departments. */
export function seedCampus(db: Db): Campus {
  return db.transaction((tx) => {
    const campusId = tx
      .insert(campuses)
      .values({ name: '测试校区', nameEn: 'Test campus', timezone: 'Asia/Shanghai' })
      .returning()
      .get().id;
    const gate = (code: string, name: string) =>
      tx.insert(gates).values({ campusId, code, name, nameEn: code }).returning().get().id;
    const dept = (code: string, name: string) =>
      tx.insert(departments).values({ code, name, nameEn: code }).returning().get().id;
    return {
      campusId,
      gateIds: { north: gate('north', '北门'), east: gate('east', '东门'), south: gate('south', '南门') },
      departmentIds: { cs: dept('cs', '计算机学院'), math: dept('math', '数学学院') },
    };
  });
}

/** A user of the role, bound as the role requires (a filer to cs, a guard to the north gate). */
export function createUser(
  db: Db,
  campus: Campus,
  role: Role,
  overrides: { username?: string; departmentId?: number; gateIds?: number[] } = {},
) {
  return db.transaction((tx) =>
    insertUser(tx, {
      username: overrides.username ?? `${role}1`,
      displayName: `${role} user`,
      role,
      departmentId:
        overrides.departmentId ?? (role === 'filer' || role === 'approver' ? campus.departmentIds.cs : null),
      gateIds: overrides.gateIds ?? (role === 'guard' ? [campus.gateIds.north] : []),
      passwordHash: passwordHash(),
    }),
  );
}
