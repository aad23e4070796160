# Testes ocultos do caderno 00_numeros_e_memoria (julgado fora do kernel do aluno: ver a secção «contexto»).
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz, fora
# do kernel do aluno, depois dos testes visíveis: usam np, levanta e as funções do aluno.
# Os valores esperados foram calculados à mão a partir de docs/contrato.md#00_numeros_e_memoria, nunca com solutions/.

# %% teste_memoria_modelo
import numbers as _numeros

assert memoria_modelo(1_000, "bf16") == 2_000, "bf16 também usa 2 bytes por parâmetro."
assert memoria_modelo(7, "int4") == 4, "Com 7 parâmetros em int4 são precisos ceil(7/2) = 4 bytes: o último byte fica meio cheio, mas ocupa-se."
assert memoria_modelo(1, "int4") == 1, "Um só parâmetro int4 ocupa 1 byte inteiro."
assert memoria_modelo(0, "fp32") == 0, "Zero parâmetros ocupam 0 bytes."
assert memoria_modelo(7_000_000_001, "fp32") == 28_000_000_004, "Usa aritmética inteira: 7 000 000 001 parâmetros em fp32 são 28 000 000 004 bytes."
assert memoria_modelo(7_000_000_001, "int4") == 3_500_000_001, "ceil(7 000 000 001 / 2) = 3 500 000 001 bytes: evita floats (n / 2) em números grandes."
_r = memoria_modelo(1_001, "int4")
assert isinstance(_r, _numeros.Integral) and not isinstance(_r, bool), f"memoria_modelo deve devolver um inteiro de bytes, não {type(_r).__name__}."
assert levanta(ValueError, memoria_modelo, -1, "fp32"), "Um número negativo de parâmetros deve levantar ValueError."
assert levanta(ValueError, memoria_modelo, 100, "int2"), "Um tipo desconhecido ('int2') deve levantar ValueError (e não KeyError)."
assert levanta(ValueError, memoria_modelo, 100, ""), "Um tipo vazio deve levantar ValueError."

# %% teste_reducao_percentual
assert abs(reducao_percentual(1000, 125) - 87.5) < 1e-9, "De 1000 para 125 poupa-se 87.5 %."
assert abs(reducao_percentual(4, 3) - 25.0) < 1e-9, "De 4 para 3 poupa-se 25.0 % (cuidado com divisões inteiras)."
assert abs(reducao_percentual(100, 150) - (-50.0)) < 1e-9, "Se o tamanho cresce (100 → 150), a redução é negativa: -50.0 %."
assert abs(reducao_percentual(37.5, 0) - 100.0) < 1e-9, "Reduzir para 0 poupa 100 %."
assert levanta(ValueError, reducao_percentual, -10, 5), "Um tamanho original negativo deve levantar ValueError."

# %% teste_quantizar_afim
# 4 bits: inteiros entre -8 e 7, e o intervalo todo usado.
_x = np.linspace(-2.0, 6.0, 41).astype(np.float32)
_q, _s, _z = quantizar_afim(_x, bits=4)
assert np.min(_q) >= -8 and np.max(_q) <= 7, "Com bits=4, q tem de ficar entre -8 e 7: o número de bits não pode estar fixo em 8."
assert np.min(_q) <= -7 and np.max(_q) >= 6, "Com bits=4, o mínimo deve ir para -8 e o máximo para 7."
assert abs(_s - 8.0 / 15) <= 8.0 / 15 / 15 + 1e-9, "Com bits=4, a escala deve ser (max - min) / 15."
# 2 bits: -2..1.
_q2, _, _ = quantizar_afim(np.array([-1.0, 0.0, 1.0, 2.0]), bits=2)
assert np.min(_q2) >= -2 and np.max(_q2) <= 1, "Com bits=2, q tem de ficar entre -2 e 1."
# Só positivos: o intervalo é alargado até 0, e o 0 tem de continuar representável.
_xp = np.array([1.0, 2.0, 3.0, 5.0], dtype=np.float32)
_qp, _sp, _zp = quantizar_afim(_xp)
assert -128 <= int(_zp) <= 127, "O ponto zero tem de ser um inteiro de 8 bits (entre -128 e 127): alargaste o intervalo para incluir 0?"
assert abs(_sp - 5.0 / 255) < 1e-6, "Para x entre 1 e 5, o intervalo alargado é [0, 5]: a escala deve ser 5/255."
assert np.max(_qp) >= 126, "O máximo (5.0) deve ir para perto de 127."
# Só negativos.
_qn, _sn, _zn = quantizar_afim(np.array([-4.0, -1.0], dtype=np.float32))
assert np.min(_qn) <= -127 and -128 <= int(_zn) <= 127 and abs(_sn - 4.0 / 255) < 1e-6, "Para x só com negativos, o intervalo alargado é [min, 0]."
assert isinstance(_s, float) or np.isscalar(_s), "A escala deve ser um número (float)."
assert float(_z) == int(_z), "O ponto zero deve ser um inteiro."
# Casos que dividem por zero numa implementação ingénua.
for _const in (np.zeros(5, dtype=np.float32), np.full(5, 2.5, dtype=np.float32)):
    with np.errstate(all="raise"):
        _qc, _sc, _zc = quantizar_afim(_const)
    _rec = desquantizar(_qc, _sc, _zc)
    assert np.all(np.isfinite(np.asarray(_rec, dtype=np.float64))), "Um tensor constante ou só com zeros não pode dar NaN ou inf: evita dividir por zero."
    assert np.allclose(_rec, _const, atol=2.5 / 255), "Um tensor constante deve voltar (quase) igual depois de desquantizar."

# %% teste_desquantizar
for _bits in (8, 4, 3):
    _x = np.random.default_rng(_bits).normal(0.2, 1.0, size=2000).astype(np.float32)
    _q, _s, _z = quantizar_afim(_x, bits=_bits)
    _rec = np.asarray(desquantizar(_q, _s, _z), dtype=np.float64)
    assert _rec.shape == _x.shape, "desquantizar deve devolver um array com a forma de q."
    _erro = np.abs(_rec - _x)
    assert _erro.max() <= _s / 2 + 1e-5 * _s + 1e-6, f"Com {_bits} bits, o erro máximo ({_erro.max():.4f}) passa de escala/2 ({_s / 2:.4f}): arredondas para o inteiro mais próximo?"
# O zero volta exatamente a zero, mesmo num tensor sem zeros à volta.
_x0 = np.array([-0.7, 0.0, 0.0, 2.3], dtype=np.float32)
_q0, _s0, _z0 = quantizar_afim(_x0)
assert np.all(np.asarray(desquantizar(_q0, _s0, _z0))[1:3] == 0.0), "Os zeros do tensor devem voltar exatamente a 0.0."
# Matrizes mantêm a forma.
_m = np.arange(12, dtype=np.float32).reshape(3, 4) - 4
_qm, _sm, _zm = quantizar_afim(_m)
assert np.shape(_qm) == (3, 4) and np.shape(desquantizar(_qm, _sm, _zm)) == (3, 4), "quantizar_afim e desquantizar devem manter a forma (ex.: 3×4)."

# %% teste_int4_tamanho
for _n in (1, 2, 9, 1000, 1001):
    _v = (np.arange(_n) % 16 - 8).astype(np.int8)
    _p = np.asarray(empacotar_int4(_v))
    assert _p.dtype == np.uint8, "empacotar_int4 deve devolver np.uint8."
    assert _p.size == (_n + 1) // 2, f"{_n} valores int4 devem ocupar ceil({_n}/2) = {(_n + 1) // 2} bytes, e não {_p.size}."

# %% teste_int4_ida_e_volta
_todos = np.arange(-8, 8, dtype=np.int8)
for _v in (_todos, _todos[::-1], _todos[:-1], np.array([-8], dtype=np.int8), np.array([7, -8, 7], dtype=np.int8)):
    _volta = np.asarray(desempacotar_int4(empacotar_int4(_v), len(_v)))
    assert _volta.shape == _v.shape and np.array_equal(_volta.astype(np.int64), _v.astype(np.int64)), f"A ida e volta falhou para {_v.tolist()}: recebi {_volta.tolist()}."
_aleatorios = np.random.default_rng(4).integers(-8, 8, size=1001).astype(np.int8)
_volta = np.asarray(desempacotar_int4(empacotar_int4(_aleatorios), 1001))
assert np.array_equal(_volta.astype(np.int64), _aleatorios.astype(np.int64)), "A ida e volta falhou para 1001 valores aleatórios (n ímpar)."

# %% contexto
# O contexto do juiz (autograder/juiz.py): o que os testes deste caderno usam além dos
# exercícios, calculado no processo do juiz. Os testes do 00 só precisam de np e levanta, que
# o juiz já dá a todos os cadernos.
