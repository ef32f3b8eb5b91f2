import { describe, expect, it } from 'vitest';
import { idLast4, idNumberProblem, residentIdCheckChar } from '../../server/domain/id-number';
import { maskName, maskPhone, normalizeName } from '../../server/domain/names';

describe('idNumberProblem', () => {
  // 11010519491231002X is the sample number printed in GB 11643-1999.
  it('accepts a resident ID with a correct MOD 11-2 check character, X included', () => {
    expect(idNumberProblem('resident_id', '11010519491231002X')).toBeNull();
    expect(idNumberProblem('resident_id', '11010519491231002x')).toBeNull();
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it('refuses a wrong check character, a bad birth date and a bad format', () => {
    expect(idNumberProblem('resident_id', '110105194912310021')).toBe('check_digit');
    expect(idNumberProblem('resident_id', '110105194902300025')).toBe('birth_date');
    expect(idNumberProblem('resident_id', '1101051949123100')).toBe('format');
  });

  it('checks passports and permits by format', () => {
    expect(idNumberProblem('passport', 'E12345678')).toBeNull();
    expect(idNumberProblem('passport', 'E1')).toBe('format');
    expect(idNumberProblem('hk_macau_permit', 'H12345678')).toBeNull();
    expect(idNumberProblem('taiwan_permit', '1234567')).toBe('format');
  });

  it('keeps only the last four', () => {
    expect(idLast4(' 11010519491231002x ')).toBe('002X');
  });
});

describe('names and phones', () => {
  it('normalises full-width letters, spaces and middle dots for block-list matching', () => {
    expect(normalizeName('张 三')).toBe(normalizeName('张三'));
    expect(normalizeName('ＪＯＨＮ　Ｓｍｉｔｈ')).toBe(normalizeName('john smith'));
    expect(normalizeName('阿依古丽·买买提')).toBe(normalizeName('阿依古丽买买提'));
  });

  it('masks phones and names', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳明月')).toBe('欧**月');
    expect(maskName('John Smith')).toBe('J*** S****');
  });
});
