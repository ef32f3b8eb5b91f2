import { CatalogueEditor } from '../components/catalogue-editor';
import { ErrorBanner } from '../components/form';
import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

type DepartmentValues = { code: string; name: string; nameEn: string; active: boolean; requiresDeptApproval: boolean };

export function DepartmentsPage() {
  const state = useAppState();
  const t = state.t.value;
  const departments = useResource(() => ok(api.departments.$get()));
  return (
    <>
      <ErrorBanner error={departments.error} />
      <CatalogueEditor
        title={t('departments.title')}
        rows={departments.data}
        blank={{ code: '', name: '', nameEn: '', active: true, requiresDeptApproval: false }}
        fields={[
          { name: 'code', label: t('common.code'), kind: 'text', lang: 'zxx' },
          { name: 'name', label: t('common.name'), kind: 'text', lang: 'zh-CN' },
          { name: 'nameEn', label: t('common.nameEn'), kind: 'text', lang: 'en' },
          { name: 'requiresDeptApproval', label: t('departments.deptApproval'), kind: 'checkbox' },
          { name: 'active', label: t('common.active'), kind: 'checkbox' },
        ]}
        onCreate={async (v) => {
          await ok(api.departments.$post({ json: v as DepartmentValues }));
          departments.reload();
        }}
        onUpdate={async (id, v) => {
          await ok(api.departments[':id'].$patch({ param: { id: String(id) }, json: v as Partial<DepartmentValues> }));
          departments.reload();
        }}
      />
    </>
  );
}
